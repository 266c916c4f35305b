"""Jobs: search, create, edit (audited) and move through the lifecycle (evented)."""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from roofops.audit.service import apply_changes, audit_service, change
from roofops.auth.permissions import MOVE_TO, Permission, may_move, move_permission
from roofops.auth.principal import Principal
from roofops.crew.service import require_branch, require_crew
from roofops.customer.service import customer_service
from roofops.events import bus
from roofops.exceptions import Conflict, NotFound, ValidationFailed
from roofops.financials.service import financials_service
from roofops.job.lifecycle import allowed_targets, refusal
from roofops.job.repository import JobFilters, JobRepository, StageEventRepository
from roofops.job.schemas import MONEY_COLUMNS, JobCreate, JobUpdate
from roofops.kit.money import to_cents
from roofops.kit.paging import Page, PageRequest, parse_sort
from roofops.kit.time import as_utc, utcnow
from roofops.models.enums import FigureSource, JobStage
from roofops.models.job import Job, JobStageEvent

__all__ = ["JOB_SORTS", "JobFilters", "JobService", "job_service"]

JOB_SORTS = ("stage_changed_at", "number", "name", "created_at", "updated_at", "squares")
# Tolerate a client clock that runs slightly ahead when it sends "now" as occurred_at.
CLOCK_SKEW = timedelta(minutes=1)


# Told of each stage a job reaches, in the move's transaction (the portal's invitation).
StageHook = Callable[[Session, JobStageEvent], None]


class JobService:
    def __init__(self) -> None:
        self.stage_hooks: builtins.list[StageHook] = []

    def connect_stage_hook(self, hook: StageHook) -> None:
        """The composition root connects what follows a stage change outside the job domain."""
        if hook not in self.stage_hooks:
            self.stage_hooks.append(hook)

    def stage_reached(self, db: Session, event: JobStageEvent) -> None:
        """Tell the hooks of a recorded stage change (also the CRM sync's, which writes its
        own events)."""
        for hook in self.stage_hooks:
            hook(db, event)

    def list(self, db: Session, filters: JobFilters, page: PageRequest) -> Page[Job]:
        """Jobs with customer, property, branch and crew loaded."""
        sort = parse_sort(page.sort, JOB_SORTS, "-stage_changed_at")
        return JobRepository(db).search(filters, page, sort)

    def get(self, db: Session, job_id: uuid.UUID) -> Job:
        """The job with customer, property, branch, crew and stage events loaded."""
        return _found(JobRepository(db).full(job_id))

    def id_by_number(self, db: Session, number: str) -> uuid.UUID:
        """The id of the job numbered ``number`` (the CRM's and the books' job number)."""
        job = JobRepository(db).by_number(number.strip())
        if job is None:
            raise NotFound(f"no job numbered {number.strip()}")
        return job.id

    def some_ids(self, db: Session, limit: int) -> builtins.list[uuid.UUID]:
        """Ids of up to ``limit`` jobs (benchmarks and samples)."""
        return JobRepository(db).some_ids(limit)

    def create(self, db: Session, principal: Principal, data: JobCreate) -> Job:
        # A job starts in a stage only by whoever may move one there (office: not invoiced).
        principal.require(MOVE_TO[data.stage])
        values = _columns(data.model_dump(exclude={"stage"}))
        _check_references(db, values, None)
        _ensure_number_free(db, data.number)
        now = utcnow()
        job = JobRepository(db).add(Job(**values, stage=data.stage, stage_changed_at=now))
        event = _record_event(
            db, principal, job, source=None, target=data.stage, when=now, reason=""
        )
        audit_service.created(db, principal, "job", job.id)
        self.stage_reached(db, event)
        financials_service.track(db, [job.id])
        return self.get(db, job.id)

    def update(self, db: Session, principal: Principal, job_id: uuid.UUID, data: JobUpdate) -> Job:
        job = self.get(db, job_id)
        values = _columns(data.changes())
        _check_references(db, values, job)
        if values.get("number", job.number) != job.number:
            _ensure_number_free(db, values["number"])
        audit_service.updated(db, principal, "job", job.id, apply_changes(job, values))
        db.flush()
        if PRICED_COLUMNS & values.keys():
            financials_service.track(db, [job.id])
        return self.get(db, job_id)

    def move_stage(
        self,
        db: Session,
        principal: Principal,
        job_id: uuid.UUID,
        target: JobStage,
        *,
        reason: str = "",
        occurred_at: datetime | None = None,
    ) -> Job:
        """Move a job if the principal's role may make this move (403 naming the permission
        otherwise) and the lifecycle allows it (409 with the lifecycle's reason otherwise)."""
        job = _found(JobRepository(db).full(job_id, lock=True))
        source, reason = job.stage, reason.strip()
        principal.require(move_permission(source, target))
        why = refusal(source, target, reason=reason)
        if why is not None:
            raise Conflict(why, field="stage", current=source.value, target=target.value)
        when = _occurred_at(db, job, occurred_at)
        event = _record_event(
            db, principal, job, source=source, target=target, when=when, reason=reason
        )
        job.stage, job.stage_changed_at = target, when
        audit_service.record(
            db,
            principal,
            action="job.stage_changed",
            entity_type="job",
            entity_id=job.id,
            changes={"stage": change(source, target)},
            reason=reason,
        )
        bus.publish(
            db,
            "job.stage_changed",
            {"job_id": str(job.id), "number": job.number, "from": source.value, "to": target.value},
            seen_with=Permission.VIEW_JOBS,
        )
        db.flush()
        self.stage_reached(db, event)
        return self.get(db, job_id)

    def next_stages(self, principal: Principal, stage: JobStage) -> builtins.list[JobStage]:
        """The moves the lifecycle allows from ``stage`` that this role may make."""
        return [
            target for target in allowed_targets(stage) if may_move(principal.role, stage, target)
        ]

    def stage_events(self, db: Session, job_id: uuid.UUID) -> builtins.list[JobStageEvent]:
        """The job's stage history, oldest first."""
        return builtins.list(self.get(db, job_id).stage_events)

    def recent_stage_events(self, db: Session, *, limit: int = 20) -> builtins.list[JobStageEvent]:
        """The latest stage moves across all jobs, newest first, each with its job loaded."""
        return StageEventRepository(db).recent(limit)

    def sales_reps(self, db: Session) -> builtins.list[str]:
        return JobRepository(db).sales_reps()

    def stage_counts(self, db: Session) -> dict[JobStage, int]:
        """Jobs per stage, every stage present (zero when empty)."""
        counts = JobRepository(db).stage_counts()
        return {stage: counts.get(stage, 0) for stage in JobStage}


def _found(job: Job | None) -> Job:
    if job is None:
        raise NotFound("no such job")
    return job


# What the job's contract amount and estimate follow (financials re-figures when they change).
PRICED_COLUMNS = frozenset({"job_type", "material", "squares", "contract_cents"})


def _columns(values: dict[str, Any]) -> dict[str, Any]:
    """API field names and dollars -> column names and cents; a contract amount typed in
    roofops is the office's (MANUAL), not the CRM's."""
    columns = {
        MONEY_COLUMNS.get(field, field): (
            to_cents(value) if field in MONEY_COLUMNS and value is not None else value
        )
        for field, value in values.items()
    }
    if "contract_cents" in columns:
        typed = columns["contract_cents"] is not None
        columns["contract_source"] = FigureSource.MANUAL if typed else None
    return columns


def _check_references(db: Session, values: dict[str, Any], job: Job | None) -> None:
    """Referenced rows must exist (422 naming the field); the property must be the customer's."""
    if job is None or {"customer_id", "property_id"} & values.keys():
        current = (
            {} if job is None else {"customer_id": job.customer_id, "property_id": job.property_id}
        )
        merged = {**current, **values}
        _check_property(db, merged["customer_id"], merged["property_id"])
    if values.get("branch_id") is not None:
        require_branch(db, values["branch_id"])
    if values.get("crew_id") is not None:
        require_crew(db, values["crew_id"])


def _check_property(db: Session, customer_id: uuid.UUID, property_id: uuid.UUID) -> None:
    prop = customer_service.find_property(db, property_id)
    if prop is None:
        raise ValidationFailed("no property with this id", field="property_id")
    if prop.customer_id != customer_id:
        raise ValidationFailed("the property belongs to another customer", field="property_id")


def _ensure_number_free(db: Session, number: str) -> None:
    if JobRepository(db).by_number(number) is not None:
        raise Conflict(f"job number {number} is already used", field="number")


def _occurred_at(db: Session, job: Job, occurred_at: datetime | None) -> datetime:
    now = utcnow()
    latest = StageEventRepository(db).latest_occurred_at(job.id)
    if occurred_at is None:
        return max(now, latest) if latest else now
    when = as_utc(occurred_at)
    if when > now + CLOCK_SKEW:
        raise ValidationFailed("occurred_at cannot be in the future", field="occurred_at")
    if latest is not None and when < latest:
        raise ValidationFailed(
            f"occurred_at cannot be before the job's latest stage change ({latest.isoformat()})",
            field="occurred_at",
        )
    return when


def _record_event(
    db: Session,
    principal: Principal,
    job: Job,
    *,
    source: JobStage | None,
    target: JobStage,
    when: datetime,
    reason: str,
) -> JobStageEvent:
    return StageEventRepository(db).add(
        JobStageEvent(
            job_id=job.id,
            from_stage=source,
            to_stage=target,
            occurred_at=when,
            recorded_at=utcnow(),
            actor_type=principal.actor_type,
            actor_id=principal.user_id,
            actor_label=principal.label,
            reason=reason,
        )
    )


job_service = JobService()
