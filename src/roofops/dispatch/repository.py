"""Queries of the dispatch domain: crews and jobs to schedule, calendars, plans and events."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload, selectinload

from roofops.kit.repository import Repository, in_chunks
from roofops.models.crew import Crew
from roofops.models.dispatch import (
    CrewTimeOff,
    DispatchEvent,
    DispatchPlan,
    Holiday,
    JobRequirements,
    PlanKind,
    PlanStatus,
    ScheduleEntry,
)
from roofops.models.enums import JobStage, JobType
from roofops.models.job import Job


class CalendarRepository:
    """Holidays and crews' time off."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def holidays(self, first: date, last: date) -> list[Holiday]:
        statement = sa.select(Holiday).where(Holiday.on.between(first, last)).order_by(Holiday.on)
        return list(self.session.scalars(statement))

    def time_off(self, first: date, last: date) -> list[CrewTimeOff]:
        """Time off overlapping ``first .. last``."""
        statement = (
            sa.select(CrewTimeOff)
            .where(CrewTimeOff.starts_on <= last, CrewTimeOff.ends_on >= first)
            .order_by(CrewTimeOff.starts_on, CrewTimeOff.id)
        )
        return list(self.session.scalars(statement))

    def add_holiday(self, holiday: Holiday) -> Holiday:
        self.session.add(holiday)
        self.session.flush()
        return holiday

    def add_time_off(self, entry: CrewTimeOff) -> CrewTimeOff:
        self.session.add(entry)
        self.session.flush()
        return entry


class DispatchCrewRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def active_crews(self, branch_id: uuid.UUID | None = None) -> list[Crew]:
        """Active crews by name, with their skills and branch (its yard is a crew's fallback)."""
        statement = (
            sa.select(Crew)
            .options(selectinload(Crew.skills), joinedload(Crew.branch))
            .where(Crew.is_active.is_(True))
            .order_by(Crew.name, Crew.id)
        )
        if branch_id is not None:
            statement = statement.where(Crew.branch_id == branch_id)
        return list(self.session.scalars(statement))

    def by_ids(self, crew_ids: Collection[uuid.UUID]) -> list[Crew]:
        crews: list[Crew] = []
        for chunk in in_chunks(crew_ids):
            crews.extend(self.session.scalars(sa.select(Crew).where(Crew.id.in_(chunk))))
        return crews


class DispatchJobRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def to_schedule(
        self,
        stages: Collection[JobStage],
        job_types: Collection[JobType],
        branch_id: uuid.UUID | None = None,
    ) -> list[Job]:
        """Open production jobs in ``stages`` with their property and branch, by number."""
        statement = (
            sa.select(Job)
            .options(joinedload(Job.property, innerjoin=True), joinedload(Job.branch))
            .where(Job.stage.in_(stages), Job.job_type.in_(job_types), Job.archived_at.is_(None))
            .order_by(Job.number)
        )
        if branch_id is not None:
            statement = statement.where(Job.branch_id == branch_id)
        return list(self.session.scalars(statement))

    def by_ids(self, job_ids: Collection[uuid.UUID]) -> list[Job]:
        """Jobs with their property, in any stage (a plan's jobs may have moved on)."""
        jobs: list[Job] = []
        for chunk in in_chunks(job_ids):
            statement = (
                sa.select(Job)
                .options(joinedload(Job.property, innerjoin=True))
                .where(Job.id.in_(chunk))
            )
            jobs.extend(self.session.scalars(statement))
        return jobs

    def job(self, job_id: uuid.UUID) -> Job | None:
        return self.session.get(Job, job_id, options=[joinedload(Job.property, innerjoin=True)])


class RequirementsRepository(Repository[JobRequirements]):
    model = JobRequirements

    def for_job(self, job_id: uuid.UUID) -> JobRequirements | None:
        return self.session.scalar(
            sa.select(JobRequirements).where(JobRequirements.job_id == job_id)
        )

    def for_jobs(self, job_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, JobRequirements]:
        found: dict[uuid.UUID, JobRequirements] = {}
        for chunk in in_chunks(job_ids):
            statement = sa.select(JobRequirements).where(JobRequirements.job_id.in_(chunk))
            found.update((row.job_id, row) for row in self.session.scalars(statement))
        return found


class PlanRepository(Repository[DispatchPlan]):
    model = DispatchPlan

    def latest(self, kind: PlanKind, status: PlanStatus) -> DispatchPlan | None:
        """The newest plan of this kind in this status (schedules: one published at a time)."""
        statement = (
            sa.select(DispatchPlan)
            .where(DispatchPlan.kind == kind, DispatchPlan.status == status)
            .order_by(DispatchPlan.created_at.desc(), DispatchPlan.id.desc())
            .limit(1)
        )
        return self.session.scalar(statement)

    def in_status(self, kind: PlanKind, status: PlanStatus) -> list[DispatchPlan]:
        statement = sa.select(DispatchPlan).where(
            DispatchPlan.kind == kind, DispatchPlan.status == status
        )
        return list(self.session.scalars(statement))

    def recent(self, kind: PlanKind, limit: int) -> list[DispatchPlan]:
        statement = (
            sa.select(DispatchPlan)
            .where(DispatchPlan.kind == kind)
            .order_by(DispatchPlan.created_at.desc(), DispatchPlan.id.desc())
            .limit(limit)
        )
        return list(self.session.scalars(statement))

    def entries(self, plan_id: uuid.UUID) -> list[ScheduleEntry]:
        statement = (
            sa.select(ScheduleEntry)
            .where(ScheduleEntry.plan_id == plan_id)
            .order_by(ScheduleEntry.starts_on, ScheduleEntry.job_id, ScheduleEntry.phase)
        )
        return list(self.session.scalars(statement))

    def add_entries(self, entries: Sequence[ScheduleEntry]) -> None:
        self.session.add_all(entries)
        self.session.flush()


class EventRepository(Repository[DispatchEvent]):
    model = DispatchEvent

    def unanswered(self, limit: int) -> list[tuple[DispatchEvent, str | None]]:
        """Events no re-plan has answered yet, newest first, with the named crew's name."""
        statement = (
            sa.select(DispatchEvent, Crew.name)
            .outerjoin(Crew, Crew.id == DispatchEvent.crew_id)
            .where(DispatchEvent.plan_id.is_(None))
            .order_by(DispatchEvent.created_at.desc(), DispatchEvent.id.desc())
            .limit(limit)
        )
        return [(event, name) for event, name in self.session.execute(statement)]

    def recent(self, limit: int) -> list[DispatchEvent]:
        statement = (
            sa.select(DispatchEvent)
            .order_by(DispatchEvent.created_at.desc(), DispatchEvent.id.desc())
            .limit(limit)
        )
        return list(self.session.scalars(statement))
