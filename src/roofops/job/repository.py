"""Queries for jobs and stage events."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from roofops.job.lifecycle import CLOSED
from roofops.kit.paging import Page, PageRequest, SortSpec
from roofops.kit.repository import Repository
from roofops.kit.search import matches_any
from roofops.models.customer import Customer
from roofops.models.enums import JobStage, JobType, Material, PayerKind, Priority
from roofops.models.job import Job, JobStageEvent
from roofops.models.property import Property

# Each is one row per job: joined into the list's own statement (four IN-queries more than
# doubled a page's time).
LIST_LOADS = (
    joinedload(Job.customer, innerjoin=True),
    joinedload(Job.property, innerjoin=True),
    joinedload(Job.branch),
    joinedload(Job.crew),
)


@dataclass(frozen=True)
class JobFilters:
    q: str | None = None
    stages: tuple[JobStage, ...] = ()
    job_type: JobType | None = None
    material: Material | None = None
    branch_id: uuid.UUID | None = None
    crew_id: uuid.UUID | None = None
    sales_rep: str | None = None
    payer: PayerKind | None = None
    priority: Priority | None = None
    open_only: bool = False
    updated_since: datetime | None = None
    include_archived: bool = False


class JobRepository(Repository[Job]):
    model = Job

    def some_ids(self, limit: int) -> list[uuid.UUID]:
        return list(self.session.scalars(sa.select(Job.id).order_by(Job.number).limit(limit)))

    def search(self, filters: JobFilters, page: PageRequest, sort: SortSpec) -> Page[Job]:
        statement = sa.select(Job).options(*LIST_LOADS)
        if filters.q:
            statement = (
                statement.join(Customer, Customer.id == Job.customer_id)
                .join(Property, Property.id == Job.property_id)
                .where(_matches(filters.q))
            )
        return self.paginate(statement.where(*_conditions(filters)), page, sort)

    def full(self, job_id: uuid.UUID, *, lock: bool = False) -> Job | None:
        """The job with everything a detail view shows; ``lock`` serialises stage moves."""
        statement = (
            sa.select(Job)
            .options(*LIST_LOADS, selectinload(Job.stage_events))
            .where(Job.id == job_id)
            .execution_options(populate_existing=True)
        )
        return self.session.scalar(statement.with_for_update(of=Job) if lock else statement)

    def by_number(self, number: str) -> Job | None:
        return self.session.scalar(sa.select(Job).where(Job.number == number))

    def stage_counts(self) -> dict[JobStage, int]:
        rows = self.session.execute(sa.select(Job.stage, sa.func.count()).group_by(Job.stage))
        return {stage: count for stage, count in rows}  # noqa: C416 (rows are Row, not tuples, to mypy)

    def sales_reps(self) -> list[str]:
        return list(
            self.session.scalars(
                sa.select(Job.sales_rep)
                .where(Job.sales_rep != "")
                .distinct()
                .order_by(Job.sales_rep)
            )
        )


def _matches(q: str) -> sa.ColumnElement[bool]:
    return matches_any(
        q,
        Job.number,
        Job.name,
        Customer.display_name,
        Property.address_line1,
        Property.city,
        Property.postal_code,
    )


def _conditions(filters: JobFilters) -> list[sa.ColumnElement[bool]]:
    equal: list[tuple[Any, object]] = [
        (Job.job_type, filters.job_type),
        (Job.material, filters.material),
        (Job.branch_id, filters.branch_id),
        (Job.crew_id, filters.crew_id),
        (Job.sales_rep, filters.sales_rep),
        (Job.payer, filters.payer),
        (Job.priority, filters.priority),
    ]
    conditions = [column == value for column, value in equal if value is not None]
    if filters.stages:
        conditions.append(Job.stage.in_(filters.stages))
    if filters.open_only:
        conditions.append(Job.stage.not_in(CLOSED))
    if not filters.include_archived:
        conditions.append(Job.archived_at.is_(None))
    if filters.updated_since is not None:
        conditions.append(Job.updated_at >= filters.updated_since)
    return conditions


class StageEventRepository(Repository[JobStageEvent]):
    model = JobStageEvent

    def recent(self, limit: int) -> list[JobStageEvent]:
        return list(
            self.session.scalars(
                sa.select(JobStageEvent)
                .options(joinedload(JobStageEvent.job, innerjoin=True))
                .order_by(JobStageEvent.occurred_at.desc(), JobStageEvent.recorded_at.desc())
                .limit(limit)
            )
        )

    def latest_occurred_at(self, job_id: uuid.UUID) -> datetime | None:
        return self.session.scalar(
            sa.select(JobStageEvent.occurred_at)
            .where(JobStageEvent.job_id == job_id)
            .order_by(JobStageEvent.occurred_at.desc())
            .limit(1)
        )
