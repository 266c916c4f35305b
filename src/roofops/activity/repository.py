"""Queries for job activities."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from roofops.kit.repository import Repository
from roofops.models.activity import JobActivity


class ActivityRepository(Repository[JobActivity]):
    model = JobActivity

    def for_job(self, job_id: uuid.UUID, limit: int) -> list[JobActivity]:
        """The job's newest activities first."""
        statement = (
            sa.select(JobActivity)
            .where(JobActivity.job_id == job_id)
            .order_by(JobActivity.occurred_at.desc(), JobActivity.id)
            .limit(limit)
        )
        return list(self.session.scalars(statement))
