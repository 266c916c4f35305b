"""Queries of the field side: crews' reports and photos, and the published work of a day."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload, undefer
from sqlalchemy.orm.interfaces import ORMOption

from roofops.kit.repository import Repository, found, in_chunks
from roofops.models.crew import Crew
from roofops.models.dispatch import (
    CrewTimeOff,
    DispatchPlan,
    Holiday,
    PlanKind,
    PlanStatus,
    RouteStop,
    ScheduleEntry,
    StopKind,
)
from roofops.models.enums import Role
from roofops.models.field import FieldReport, JobPhoto
from roofops.models.job import Job
from roofops.models.user import User


class FieldReportRepository(Repository[FieldReport]):
    model = FieldReport

    def on_day(self, day: date, crew_ids: Collection[uuid.UUID]) -> list[FieldReport]:
        """The day's reports of these crews, oldest first (the last one is the crew's state)."""
        reports: list[FieldReport] = []
        for chunk in in_chunks(crew_ids):
            reports.extend(
                self.session.scalars(
                    sa.select(FieldReport).where(
                        FieldReport.day == day, FieldReport.crew_id.in_(chunk)
                    )
                )
            )
        return sorted(reports, key=lambda report: (report.occurred_at, str(report.id)))

    def has_status(self, job_id: uuid.UUID, status: str) -> bool:
        statement = sa.select(FieldReport.id).where(
            FieldReport.job_id == job_id, FieldReport.status == status
        )
        return self.session.scalar(statement.limit(1)) is not None

    # ----- crews, people and the calendar ---------------------------------------------------
    def crew(self, crew_id: uuid.UUID) -> Crew:
        return found(self.session.get(Crew, crew_id), "crew")

    def active_crews(self, branch_id: uuid.UUID | None = None) -> list[Crew]:
        statement = sa.select(Crew).where(Crew.is_active.is_(True))
        if branch_id is not None:
            statement = statement.where(Crew.branch_id == branch_id)
        return list(self.session.scalars(statement.order_by(Crew.name, Crew.id)))

    def user(self, user_id: uuid.UUID) -> User | None:
        return self.session.get(User, user_id)

    def crew_lead_users(self) -> list[User]:
        return list(
            self.session.scalars(
                sa.select(User).where(User.role == Role.CREW_LEAD, User.is_active.is_(True))
            )
        )

    def is_holiday(self, day: date) -> bool:
        return self.session.scalar(sa.select(Holiday.id).where(Holiday.on == day)) is not None

    def crews_off(self, day: date) -> set[uuid.UUID]:
        return set(
            self.session.scalars(
                sa.select(CrewTimeOff.crew_id).where(
                    CrewTimeOff.starts_on <= day, CrewTimeOff.ends_on >= day
                )
            )
        )

    # ----- the published plan ---------------------------------------------------------------
    def published_entries(self, first: date, last: date) -> list[ScheduleEntry]:
        """Crewed entries of the published schedule that overlap ``first..last``."""
        return list(
            self.session.scalars(
                sa.select(ScheduleEntry)
                .join(DispatchPlan, DispatchPlan.id == ScheduleEntry.plan_id)
                .where(
                    DispatchPlan.kind == PlanKind.SCHEDULE,
                    DispatchPlan.status == PlanStatus.PUBLISHED,
                    ScheduleEntry.crew_id.is_not(None),
                    ScheduleEntry.starts_on <= last,
                    ScheduleEntry.ends_on >= first,
                )
                .order_by(ScheduleEntry.starts_on, ScheduleEntry.phase, ScheduleEntry.id)
            )
        )

    def published_stops(self, first: date, last: date) -> list[RouteStop]:
        """Crewed visits of the published routes of the days ``first..last``, in route order."""
        return list(
            self.session.scalars(
                sa.select(RouteStop)
                .join(DispatchPlan, DispatchPlan.id == RouteStop.plan_id)
                .where(
                    DispatchPlan.kind == PlanKind.ROUTES,
                    DispatchPlan.status == PlanStatus.PUBLISHED,
                    RouteStop.kind == StopKind.VISIT,
                    RouteStop.crew_id.is_not(None),
                    RouteStop.job_id.is_not(None),
                    RouteStop.route_date >= first,
                    RouteStop.route_date <= last,
                )
                .order_by(RouteStop.route_date, RouteStop.sequence, RouteStop.id)
            )
        )

    def published_plans(self, since: date) -> list[DispatchPlan]:
        """The published schedule and the published routes of ``since`` and later: the plans
        a crew may still have to acknowledge."""
        return list(
            self.session.scalars(
                sa.select(DispatchPlan)
                .where(
                    DispatchPlan.status == PlanStatus.PUBLISHED,
                    sa.or_(
                        DispatchPlan.kind == PlanKind.SCHEDULE, DispatchPlan.route_date >= since
                    ),
                )
                .order_by(DispatchPlan.published_at, DispatchPlan.id)
            )
        )

    def jobs(self, job_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, Job]:
        """The jobs with their property."""
        jobs: dict[uuid.UUID, Job] = {}
        for chunk in in_chunks(job_ids):
            rows = self.session.scalars(
                sa.select(Job).options(selectinload(Job.property)).where(Job.id.in_(chunk))
            )
            jobs.update({job.id: job for job in rows})
        return jobs

    def job(self, job_id: uuid.UUID) -> Job:
        return found(self.jobs([job_id]).get(job_id), "job")


class PhotoRepository(Repository[JobPhoto]):
    model = JobPhoto

    def of_job(self, job_id: uuid.UUID) -> list[JobPhoto]:
        """The job's photos without their bytes, newest first."""
        return list(
            self.session.scalars(
                sa.select(JobPhoto)
                .where(JobPhoto.job_id == job_id)
                .order_by(JobPhoto.uploaded_at.desc(), JobPhoto.id)
            )
        )

    def on_job(self, job_id: uuid.UUID, photo_id: uuid.UUID, *options: ORMOption) -> JobPhoto:
        """The photo, 404 unless it is one of this job's (ids of another job's photos too)."""
        photo = self.session.scalar(
            sa.select(JobPhoto)
            .options(*options)
            .where(JobPhoto.id == photo_id, JobPhoto.job_id == job_id)
        )
        return found(photo, "photo on this job")

    def with_bytes(self, job_id: uuid.UUID, photo_id: uuid.UUID) -> JobPhoto:
        return self.on_job(job_id, photo_id, undefer(JobPhoto.data))
