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
    StopKind,
)
from roofops.models.field import FieldReport, JobPhoto
from roofops.models.job import Job
from roofops.models.user import User


class FieldReportRepository(Repository[FieldReport]):
    model = FieldReport

    def between(
        self, first: date, last: date, crew_ids: Collection[uuid.UUID]
    ) -> list[FieldReport]:
        """These crews' reports of the days ``first..last``, oldest first (a crew's last one of
        a day is its state that day)."""
        reports: list[FieldReport] = []
        for chunk in in_chunks(crew_ids):
            reports.extend(
                self.session.scalars(
                    sa.select(FieldReport).where(
                        FieldReport.day >= first,
                        FieldReport.day <= last,
                        FieldReport.crew_id.in_(chunk),
                    )
                )
            )
        return sorted(reports, key=lambda report: (report.occurred_at, str(report.id)))

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

    def holidays_between(self, first: date, last: date) -> set[date]:
        return set(
            self.session.scalars(sa.select(Holiday.on).where(Holiday.on.between(first, last)))
        )

    def time_off_between(self, first: date, last: date) -> list[CrewTimeOff]:
        """Time off of any crew that overlaps ``first..last``."""
        return list(
            self.session.scalars(
                sa.select(CrewTimeOff).where(
                    CrewTimeOff.starts_on <= last, CrewTimeOff.ends_on >= first
                )
            )
        )

    # ----- the published plan ---------------------------------------------------------------
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

    def latest_of_jobs(
        self, job_ids: Collection[uuid.UUID], per_job: int
    ) -> dict[uuid.UUID, list[JobPhoto]]:
        """Each job's ``per_job`` newest photos without their bytes, newest first: one query
        for all the jobs of a page."""
        photos: dict[uuid.UUID, list[JobPhoto]] = {}
        for chunk in in_chunks(job_ids):
            rank = (
                sa.func.row_number()
                .over(
                    partition_by=JobPhoto.job_id,
                    order_by=(JobPhoto.uploaded_at.desc(), JobPhoto.id),
                )
                .label("rank")
            )
            ranked = sa.select(JobPhoto.id, rank).where(JobPhoto.job_id.in_(chunk)).subquery()
            rows = self.session.scalars(
                sa.select(JobPhoto)
                .join(ranked, ranked.c.id == JobPhoto.id)
                .where(ranked.c.rank <= per_job)
                .order_by(JobPhoto.uploaded_at.desc(), JobPhoto.id)
            )
            for photo in rows:
                photos.setdefault(photo.job_id, []).append(photo)
        return photos

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
