"""Queries for job activities, and what the feed reads beside them."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa

from roofops.kit.repository import Repository
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

    def latest(self, job_id: uuid.UUID, kind: ActivityKind) -> JobActivity | None:
        statement = (
            sa.select(JobActivity)
            .where(JobActivity.job_id == job_id, JobActivity.kind == kind)
            .order_by(JobActivity.occurred_at.desc(), JobActivity.id.desc())
            .limit(1)
        )
        return self.session.scalars(statement).first()

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
