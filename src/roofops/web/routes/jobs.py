"""The jobs list (filters swap the table through htmx) and a job's page with its stage timeline."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from roofops.auth.dependencies import requires
from roofops.auth.permissions import Permission
from roofops.config import Settings
from roofops.crew.service import branch_service
from roofops.db import DB, attempt
from roofops.dependencies import AppSettings, app_settings
from roofops.exceptions import Conflict, PermissionDenied, ValidationFailed
from roofops.invoice.payments import invoice_payments_service
from roofops.job.lifecycle import allowed_targets
from roofops.job.service import job_service
from roofops.models.enums import JobStage, JobType, Material
from roofops.models.job import Job
from roofops.web.context import PageContext
from roofops.web.dependencies import Page
from roofops.web.forecast_view import forecast_window_context
from roofops.web.forms import MoveForm
from roofops.web.invoice_view import RaiseState, invoices_context
from roofops.web.job_query import JobListQuery
from roofops.web.profit_view import money_context
from roofops.web.rendering import is_fragment_request, render
from roofops.web.routes.activity import activity_context
from roofops.web.timeline import timeline

router = APIRouter(prefix="/jobs", dependencies=[Depends(requires(Permission.VIEW_JOBS))])


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


def _stage_context(job: Job, page: PageContext, **extra: Any) -> dict[str, Any]:
    return {
        "job": job,
        "timeline": timeline(job.stage_events),
        "targets": job_service.next_stages(page.principal, job.stage),
        "closed": not allowed_targets(job.stage),
        "move": {"stage": "", "reason": "", "error": ""} | extra,
    }


@router.get("/{job_id}")
def job_page(
    request: Request, db: DB, settings: AppSettings, page: Page, job_id: uuid.UUID
) -> Response:
    return render(request, "jobs/detail.html", job_page_context(db, settings, page, job_id))


def job_page_context(
    db: Session,
    settings: Settings,
    page: PageContext,
    job_id: uuid.UUID,
    raising: RaiseState | None = None,
) -> dict[str, Any]:
    """Everything the job page shows; ``raising``: the New invoice form as it was posted."""
    context = _stage_context(job_service.get(db, job_id), page)
    money = money_context(db, settings, page, job_id)
    invoicing = invoices_context(db, page, job_id, raising) | _payments(db, page, job_id)
    feed = activity_context(db, job_id)
    return context | money | invoicing | forecast_window_context(db, context["job"]) | feed


def _payments(db: Session, page: PageContext, job_id: uuid.UUID) -> dict[str, Any]:
    """What the books say each payment paid of the job's invoices (jobs/_payments.html)."""
    if not page.can(Permission.VIEW_INVOICES):
        return {}
    return {"payments": invoice_payments_service.job_payments(db, job_id)}


@router.post("/{job_id}/stage", dependencies=[Depends(requires(Permission.MOVE_JOBS))])
def move_stage(
    request: Request, db: DB, page: Page, job_id: uuid.UUID, form: Annotated[MoveForm, Form()]
) -> Response:
    try:
        with attempt(db):
            target = _target(form.stage)
            job = job_service.move_stage(db, page.principal, job_id, target, reason=form.reason)
    except (Conflict, ValidationFailed, PermissionDenied) as exc:
        return _refused(request, db, page, job_id, exc, stage=form.stage, reason=form.reason)
    if not is_fragment_request(request):
        return RedirectResponse(f"/jobs/{job_id}", status_code=303)
    return render(request, "jobs/_stage_panel.html", _stage_context(job, page) | {"moved": True})


def _target(raw: str) -> JobStage:
    try:
        return JobStage(raw)
    except ValueError:
        raise ValidationFailed("choose the stage to move the job to", field="stage") from None


def _refused(
    request: Request,
    db: Session,
    page: PageContext,
    job_id: uuid.UUID,
    exc: Conflict | ValidationFailed | PermissionDenied,
    **entered: str,
) -> Response:
    """Show why next to the form, keeping what was typed; nothing was written."""
    context = _stage_context(job_service.get(db, job_id), page, error=exc.message, **entered)
    if is_fragment_request(request):
        return render(request, "jobs/_stage_panel.html", context, status_code=exc.status_code)
    context |= money_context(db, app_settings(request), page, job_id)
    context |= invoices_context(db, page, job_id) | _payments(db, page, job_id)
    context |= forecast_window_context(db, context["job"]) | activity_context(db, job_id)
    return render(request, "jobs/detail.html", context, status_code=exc.status_code)
