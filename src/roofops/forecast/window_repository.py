"""The completion page's rows: a run's job windows with the job they belong to."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roofops.models.enums import JobType
from roofops.models.forecast import JobForecast
from roofops.models.job import Job


class WindowRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def for_run(self, run_id: uuid.UUID) -> list[tuple[JobForecast, str, str, JobType]]:
        """Each window of the run with its job's number, name and type, by predicted finish."""
        statement = (
            sa.select(JobForecast, Job.number, Job.name, Job.job_type)
            .join(Job, Job.id == JobForecast.job_id)
            .where(JobForecast.run_id == run_id)
            .order_by(JobForecast.finish_p50, Job.number)
        )
        return [tuple(row) for row in self.session.execute(statement)]  # type: ignore[misc]
