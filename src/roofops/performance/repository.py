"""Queries behind the performance figures: stage events, the jobs they concern, their money,
requirements and published schedules, crews, and repairs that may be callbacks."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from roofops.kit.repository import in_chunks
from roofops.kit.time import as_utc
from roofops.models import (
    Crew,
    DispatchPlan,
    Job,
    JobFinancials,
    JobRequirements,
    JobStageEvent,
    ScheduleEntry,
)
from roofops.models.dispatch import PlanKind, PlanStatus
from roofops.models.enums import JobStage, JobType
from roofops.models.field import FieldReport, FieldStatus

ModelT = TypeVar("ModelT")
EventRow = sa.Row[uuid.UUID, JobStage, datetime]


class PerformanceRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def events_of_jobs_moved_between(self, start: datetime, end: datetime) -> Sequence[EventRow]:
        """Every stage move before ``end`` of the jobs that moved in [start, end), in order."""
        moved = sa.select(JobStageEvent.job_id).where(
            JobStageEvent.occurred_at >= start, JobStageEvent.occurred_at < end
        )
        statement = (
            sa.select(JobStageEvent.job_id, JobStageEvent.to_stage, JobStageEvent.occurred_at)
            .where(JobStageEvent.job_id.in_(moved), JobStageEvent.occurred_at < end)
            .order_by(JobStageEvent.job_id, JobStageEvent.occurred_at)
        )
        return self.session.execute(statement).all()

    def stages_before(
        self, end: datetime, stages: Collection[JobStage]
    ) -> Sequence[sa.Row[uuid.UUID, JobStage, datetime]]:
        """(job, stage, since) of jobs whose latest move before ``end`` put them in ``stages``."""
        later = aliased(JobStageEvent)
        newer_move = (
            sa.select(later.id)
            .where(
                later.job_id == JobStageEvent.job_id,
                later.occurred_at > JobStageEvent.occurred_at,
                later.occurred_at < end,
            )
            .exists()
        )
        statement = sa.select(
            JobStageEvent.job_id, JobStageEvent.to_stage, JobStageEvent.occurred_at
        ).where(JobStageEvent.occurred_at < end, JobStageEvent.to_stage.in_(stages), ~newer_move)
        return self.session.execute(statement).all()

    def jobs(self, job_ids: Collection[uuid.UUID]) -> list[Job]:
        return self._by_job(Job, Job.id, job_ids)

    def financials(self, job_ids: Collection[uuid.UUID]) -> list[JobFinancials]:
        return self._by_job(JobFinancials, JobFinancials.job_id, job_ids)

    def requirements(self, job_ids: Collection[uuid.UUID]) -> list[JobRequirements]:
        return self._by_job(JobRequirements, JobRequirements.job_id, job_ids)

    def published_entries(
        self, job_ids: Collection[uuid.UUID]
    ) -> list[sa.Row[ScheduleEntry, datetime | None]]:
        """The crewed entries of ``job_ids`` in every schedule ever published (superseded ones
        too), with the plan's publication time, oldest plan first."""
        rows: list[sa.Row[ScheduleEntry, datetime | None]] = []
        for chunk in in_chunks(job_ids):
            statement = (
                sa.select(ScheduleEntry, DispatchPlan.published_at)
                .join(DispatchPlan, DispatchPlan.id == ScheduleEntry.plan_id)
                .where(
                    ScheduleEntry.job_id.in_(chunk),
                    ScheduleEntry.crew_id.is_not(None),
                    DispatchPlan.kind == PlanKind.SCHEDULE,
                    DispatchPlan.status.in_((PlanStatus.PUBLISHED, PlanStatus.SUPERSEDED)),
                    DispatchPlan.published_at.is_not(None),
                )
            )
            rows.extend(self.session.execute(statement).all())
        return sorted(rows, key=lambda row: as_utc(row[1] or datetime.min))

    def field_days(
        self, job_ids: Collection[uuid.UUID]
    ) -> list[sa.Row[uuid.UUID, uuid.UUID, date]]:
        """(job, crew, day) of each day a crew reported itself on site at (or finished for the
        day on) one of ``job_ids``, from the crew page."""
        rows: list[sa.Row[uuid.UUID, uuid.UUID, date]] = []
        for chunk in in_chunks(job_ids):
            statement = (
                sa.select(FieldReport.job_id, FieldReport.crew_id, FieldReport.day)
                .where(
                    FieldReport.job_id.in_(chunk),
                    FieldReport.status.in_((FieldStatus.ON_SITE, FieldStatus.FINISHED)),
                )
                .distinct()
            )
            rows.extend(self.session.execute(statement).all())
        return rows

    def crews(self) -> Sequence[Crew]:
        return self.session.scalars(sa.select(Crew).order_by(Crew.name)).all()

    def repairs_on(
        self, property_ids: Collection[uuid.UUID]
    ) -> list[sa.Row[uuid.UUID, uuid.UUID, str, datetime]]:
        """(job, property, number, first move) of every repair job on ``property_ids``."""
        rows: list[sa.Row[uuid.UUID, uuid.UUID, str, datetime]] = []
        for chunk in in_chunks(property_ids):
            statement = (
                sa.select(
                    Job.id, Job.property_id, Job.number, sa.func.min(JobStageEvent.occurred_at)
                )
                .join(JobStageEvent, JobStageEvent.job_id == Job.id)
                .where(Job.property_id.in_(chunk), Job.job_type == JobType.REPAIR)
                .group_by(Job.id, Job.property_id, Job.number)
            )
            rows.extend(self.session.execute(statement).all())
        return rows

    def _by_job(
        self,
        model: type[ModelT],
        key: InstrumentedAttribute[uuid.UUID],
        ids: Collection[uuid.UUID],
    ) -> list[ModelT]:
        found: list[ModelT] = []
        for chunk in in_chunks(ids):
            found.extend(self.session.scalars(sa.select(model).where(key.in_(chunk))))
        return found
