"""The jobs list (filters swap the table through htmx) and a job's page with its stage timeline."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from roofops.auth import roles
from roofops.auth.dependencies import require
from roofops.crew.service import branch_service
from roofops.db import DB, attempt
from roofops.exceptions import Conflict, ValidationFailed
from roofops.job.lifecycle import allowed_targets
from roofops.job.service import job_service
from roofops.models.enums import JobStage, JobType, Material
from roofops.models.job import Job
from roofops.web.dependencies import Page
from roofops.web.forms import MoveForm
from roofops.web.job_query import JobListQuery
from roofops.web.profit_view import money_context
from roofops.web.rendering import is_fragment_request, render
from roofops.web.timeline import timeline

router = APIRouter(prefix="/jobs")


@router.get("")
def jobs_list(request: Request, db: DB, _page: Page) -> Response:
    query = JobListQuery.from_params(request.query_params)
    results = job_service.list(db, query.filters(), query.page_request())
    context: dict[str, Any] = {"query": query, "results": results}
    if is_fragment_request(request):
        return render(request, "jobs/_results.html", context)
    context |= {
        "stages": list(JobStage),
        "job_types": list(JobType),
        "materials": list(Material),
        "branches": branch_service.list(db),
        "sales_reps": job_service.sales_reps(db),
    }
    return render(request, "jobs/list.html", context)


def _stage_context(job: Job, **extra: Any) -> dict[str, Any]:
    return {
        "job": job,
        "timeline": timeline(job.stage_events),
        "targets": allowed_targets(job.stage),
        "move": {"stage": "", "reason": "", "error": ""} | extra,
    }


@router.get("/{job_id}")
def job_page(request: Request, db: DB, page: Page, job_id: uuid.UUID) -> Response:
    context = _stage_context(job_service.get(db, job_id))
    return render(request, "jobs/detail.html", context | money_context(request, db, page, job_id))


@router.post("/{job_id}/stage", dependencies=[Depends(require(roles.MOVE_JOB_STAGE))])
def move_stage(
    request: Request, db: DB, page: Page, job_id: uuid.UUID, form: Annotated[MoveForm, Form()]
) -> Response:
    try:
        with attempt(db):
            target = _target(form.stage)
            job = job_service.move_stage(db, page.principal, job_id, target, reason=form.reason)
    except (Conflict, ValidationFailed) as exc:
        return _refused(request, db, job_id, exc, stage=form.stage, reason=form.reason)
    if not is_fragment_request(request):
        return RedirectResponse(f"/jobs/{job_id}", status_code=303)
    return render(request, "jobs/_stage_panel.html", _stage_context(job) | {"moved": True})


def _target(raw: str) -> JobStage:
    try:
        return JobStage(raw)
    except ValueError:
        raise ValidationFailed("choose the stage to move the job to", field="stage") from None


def _refused(
    request: Request,
    db: Session,
    job_id: uuid.UUID,
    exc: Conflict | ValidationFailed,
    **entered: str,
) -> Response:
    """Show why next to the form, keeping what was typed; nothing was written."""
    context = _stage_context(job_service.get(db, job_id), error=exc.message, **entered)
    name = "jobs/_stage_panel.html" if is_fragment_request(request) else "jobs/detail.html"
    return render(request, name, context, status_code=exc.status_code)
