"""JSON API for jobs and their stage history."""

from __future__ import annotations

import uuid
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Query

from roofops.api_paging import page_out, sorted_paging
from roofops.api_responses import errors
from roofops.auth.dependencies import requires
from roofops.auth.permissions import Permission, money_shown
from roofops.auth.principal import Principal
from roofops.db import DB
from roofops.job.schemas import (
    JobCreate,
    JobDetail,
    JobOut,
    JobUpdate,
    StageCount,
    StageEventOut,
    StageMove,
)
from roofops.job.service import JOB_SORTS, JobFilters, job_service
from roofops.kit.paging import PageOut, PageRequest
from roofops.kit.schemas import IsoDateTime
from roofops.models.enums import JobStage, JobType, Material, PayerKind, Priority
from roofops.models.job import Job

router = APIRouter(prefix="/jobs", tags=["jobs"])
Reader = Annotated[Principal, Depends(requires(Permission.VIEW_JOBS))]
Editor = Annotated[Principal, Depends(requires(Permission.EDIT_JOBS))]
Mover = Annotated[Principal, Depends(requires(Permission.MOVE_JOBS))]
JobPaging = Annotated[PageRequest, Depends(sorted_paging(JOB_SORTS))]


def job_filters(
    *,
    q: Annotated[
        str | None,
        Query(max_length=200, description="searches number, name, customer name and address"),
    ] = None,
    stage: Annotated[list[JobStage] | None, Query(description="repeat for several")] = None,
    job_type: JobType | None = None,
    material: Material | None = None,
    branch_id: uuid.UUID | None = None,
    crew_id: uuid.UUID | None = None,
    sales_rep: Annotated[str | None, Query(max_length=120)] = None,
    payer: PayerKind | None = None,
    priority: Priority | None = None,
    open: Annotated[bool, Query(description="only jobs not paid, lost or cancelled")] = False,
    updated_since: IsoDateTime | None = None,
) -> JobFilters:
    return JobFilters(
        q=q,
        stages=tuple(stage or ()),
        job_type=job_type,
        material=material,
        branch_id=branch_id,
        crew_id=crew_id,
        sales_rep=sales_rep,
        payer=payer,
        priority=priority,
        open_only=open,
        updated_since=updated_since,
    )


JobOutT = TypeVar("JobOutT", bound=JobOut)


def _shown(out: JobOutT, principal: Principal) -> JobOutT:
    """What this caller may see of a job: its money by the money rule, the moves its role may
    make (as the job page offers them)."""
    moves = job_service.next_stages(principal, out.stage)
    return money_shown(out.model_copy(update={"next_stages": moves}), principal.role)


def _detail(job: Job, principal: Principal) -> JobDetail:
    return _shown(JobDetail.model_validate(job), principal)


@router.get(
    "",
    summary="List jobs",
    description=f"Sortable by: {', '.join(JOB_SORTS)} (default -stage_changed_at).",
)
def list_jobs(
    db: DB,
    principal: Reader,
    paging: JobPaging,
    filters: Annotated[JobFilters, Depends(job_filters)],
) -> PageOut[JobOut]:
    page = page_out(job_service.list(db, filters, paging), JobOut)
    return page.model_copy(update={"items": [_shown(item, principal) for item in page.items]})


@router.post(
    "",
    status_code=201,
    summary="Create a job",
    description="Writes its first stage event.",
    responses=errors(404, 409),
)
def create_job(db: DB, principal: Editor, body: JobCreate) -> JobDetail:
    return _detail(job_service.create(db, principal, body), principal)


@router.get("/stage-counts", summary="How many jobs are in each stage")
def stage_counts(db: DB, _: Reader) -> list[StageCount]:
    counts = job_service.stage_counts(db)
    return [StageCount(stage=stage, count=count) for stage, count in counts.items()]


@router.get("/{job_id}", summary="A job with its stage history", responses=errors(404))
def get_job(db: DB, principal: Reader, job_id: uuid.UUID) -> JobDetail:
    return _detail(job_service.get(db, job_id), principal)


@router.patch(
    "/{job_id}",
    summary="Edit a job (audited)",
    description="Fields left out keep their value. Move stages with POST /jobs/{id}/stage.",
    responses=errors(404, 409),
)
def update_job(db: DB, principal: Editor, job_id: uuid.UUID, body: JobUpdate) -> JobDetail:
    return _detail(job_service.update(db, principal, job_id, body), principal)


@router.post(
    "/{job_id}/stage",
    summary="Move a job to another stage",
    description="409 with the reason when the lifecycle does not allow the move.",
    responses=errors(404, 409),
)
def move_stage(db: DB, principal: Mover, job_id: uuid.UUID, body: StageMove) -> JobDetail:
    job = job_service.move_stage(
        db, principal, job_id, body.stage, reason=body.reason, occurred_at=body.occurred_at
    )
    return _detail(job, principal)


@router.get(
    "/{job_id}/stage-events", summary="The job's stage history, oldest first", responses=errors(404)
)
def stage_events(db: DB, _: Reader, job_id: uuid.UUID) -> list[StageEventOut]:
    return [StageEventOut.model_validate(e) for e in job_service.stage_events(db, job_id)]
