"""Queries for job activities, and what the feed reads beside them."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime

import sqlalchemy as sa

from roofops.kit.repository import Repository, in_chunks
from roofops.models.activity import ActivityKind, JobActivity
from roofops.models.job import Job, JobStageEvent
from roofops.models.user import User

Position = tuple[datetime, uuid.UUID]


class ActivityRepository(Repository[JobActivity]):
    model = JobActivity

    def for_job(
        self, job_id: uuid.UUID, limit: int, before: Position | None = None
    ) -> list[JobActivity]:
        """The job's newest activities first (older than ``before`` when given)."""
        statement = sa.select(JobActivity).where(JobActivity.job_id == job_id)
        if before is not None:
            statement = statement.where(_older(JobActivity.occurred_at, JobActivity.id, before))
        statement = statement.order_by(JobActivity.occurred_at.desc(), JobActivity.id.desc())
        return list(self.session.scalars(statement.limit(limit)))

    def add_all(self, activities: Sequence[JobActivity]) -> None:
        """One flush for all: SQLAlchemy sends the rows as one batched INSERT."""
        self.session.add_all(activities)
        self.session.flush()

    def latest_of_jobs(
        self, job_ids: Iterable[uuid.UUID], kind: ActivityKind
    ) -> dict[uuid.UUID, JobActivity]:
        """Each job's newest activity of ``kind`` (jobs without one are left out)."""
        latest: dict[uuid.UUID, JobActivity] = {}
        for chunk in in_chunks(job_ids):
            latest |= {row.job_id: row for row in self.session.scalars(_newest_of(chunk, kind))}
        return latest

    def stage_events(
        self, job_id: uuid.UUID, limit: int, before: Position | None = None
    ) -> list[JobStageEvent]:
        """The job's newest stage changes first, in the feed's order."""
        statement = sa.select(JobStageEvent).where(JobStageEvent.job_id == job_id)
        if before is not None:
            statement = statement.where(_older(JobStageEvent.occurred_at, JobStageEvent.id, before))
        statement = statement.order_by(JobStageEvent.occurred_at.desc(), JobStageEvent.id.desc())
        return list(self.session.scalars(statement.limit(limit)))

    def job(self, job_id: uuid.UUID) -> Job | None:
        return self.session.get(Job, job_id)

    def user(self, user_id: uuid.UUID) -> User | None:
        return self.session.get(User, user_id)

    def active_users(self) -> list[User]:
        """Everyone who may be mentioned (a company has dozens of users, not thousands)."""
        statement = sa.select(User).where(User.is_active.is_(True)).order_by(User.email)
        return list(self.session.scalars(statement))


def _older(
    occurred_at: sa.orm.InstrumentedAttribute[datetime],
    entry_id: sa.orm.InstrumentedAttribute[uuid.UUID],
    before: Position,
) -> sa.ColumnElement[bool]:
    """Strictly after ``before`` in newest-first order: older, or as old with a smaller id."""
    moment, last_id = before
    return sa.or_(occurred_at < moment, sa.and_(occurred_at == moment, entry_id < last_id))


def _newest_of(job_ids: list[uuid.UUID], kind: ActivityKind) -> sa.Select[JobActivity]:
    """The newest activity of ``kind`` per job, in the feed's order (time, then id)."""
    rank = (
        sa.func.row_number()
        .over(
            partition_by=JobActivity.job_id,
            order_by=(JobActivity.occurred_at.desc(), JobActivity.id.desc()),
        )
        .label("rank")
    )
    ranked = (
        sa.select(JobActivity.id, rank)
        .where(JobActivity.job_id.in_(job_ids), JobActivity.kind == kind)
        .subquery()
    )
    return (
        sa.select(JobActivity).join(ranked, ranked.c.id == JobActivity.id).where(ranked.c.rank == 1)
    )
