"""Queries of the forecast domain: runs, the job windows and series points they stored, and the
completion dates the accuracy view compares them with."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roofops.kit.repository import Repository, in_chunks
from roofops.models.enums import JobStage
from roofops.models.forecast import ForecastPoint, ForecastRun, ForecastRunStatus, JobForecast
from roofops.models.job import JobStageEvent


class ForecastRunRepository(Repository[ForecastRun]):
    model = ForecastRun

    def recent(self, limit: int) -> list[ForecastRun]:
        """The newest runs first (by when they started)."""
        statement = (
            sa.select(ForecastRun)
            .order_by(ForecastRun.started_at.desc(), ForecastRun.id.desc())
            .limit(limit)
        )
        return list(self.session.scalars(statement))

    def latest(self, *, status: ForecastRunStatus | None = None) -> ForecastRun | None:
        statement = sa.select(ForecastRun).order_by(
            ForecastRun.started_at.desc(), ForecastRun.id.desc()
        )
        if status is not None:
            statement = statement.where(ForecastRun.status == status)
        return self.session.scalars(statement.limit(1)).first()

    def serialize_starts(self) -> None:
        """Hold PostgreSQL's transaction lock for starting a run: two requests at once cannot
        both find no run going. (SQLite lets one writer at a time anyway.)"""
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(
                sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext("forecast.run.start")))
            )

    def running(self) -> list[ForecastRun]:
        statement = (
            sa.select(ForecastRun)
            .where(ForecastRun.status == ForecastRunStatus.RUNNING)
            .order_by(ForecastRun.started_at)
        )
        return list(self.session.scalars(statement))

    def succeeded_before(self, as_of: date) -> list[ForecastRun]:
        """Succeeded runs made as of a day before ``as_of``, oldest first: those whose
        forecasts the later history can check."""
        statement = (
            sa.select(ForecastRun)
            .where(ForecastRun.status == ForecastRunStatus.SUCCEEDED, ForecastRun.as_of < as_of)
            .order_by(ForecastRun.as_of, ForecastRun.started_at)
        )
        return list(self.session.scalars(statement))

    def count_rows(self, run_id: uuid.UUID) -> tuple[int, int]:
        """How many job windows and series points a run stored."""
        jobs = self.session.scalar(sa.select(sa.func.count()).where(JobForecast.run_id == run_id))
        points = self.session.scalar(
            sa.select(sa.func.count()).where(ForecastPoint.run_id == run_id)
        )
        return jobs or 0, points or 0


class JobForecastRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add_all(self, rows: Sequence[JobForecast | ForecastPoint]) -> None:
        self.session.add_all(rows)
        self.session.flush()

    def for_run(self, run_id: uuid.UUID) -> list[JobForecast]:
        statement = (
            sa.select(JobForecast).where(JobForecast.run_id == run_id).order_by(JobForecast.job_id)
        )
        return list(self.session.scalars(statement))

    def latest_for_job(self, job_id: uuid.UUID) -> JobForecast | None:
        """The job's window from the newest succeeded run that predicted it."""
        statement = (
            sa.select(JobForecast)
            .join(ForecastRun, ForecastRun.id == JobForecast.run_id)
            .where(
                JobForecast.job_id == job_id,
                ForecastRun.status == ForecastRunStatus.SUCCEEDED,
            )
            .order_by(ForecastRun.started_at.desc(), ForecastRun.id.desc())
            .limit(1)
        )
        return self.session.scalars(statement).first()

    def points(self, run_id: uuid.UUID, prefix: str = "") -> list[ForecastPoint]:
        """A run's points of the series whose key starts with ``prefix``, by key and period."""
        statement = sa.select(ForecastPoint).where(ForecastPoint.run_id == run_id)
        if prefix:
            # LIKE with the wildcards in the prefix escaped: "revenue.week" must not match
            # "revenue_week" through "_".
            escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            statement = statement.where(ForecastPoint.series_key.like(f"{escaped}%", escape="\\"))
        statement = statement.order_by(
            ForecastPoint.series_key, ForecastPoint.period_start, ForecastPoint.id
        )
        return list(self.session.scalars(statement))

    def has_history_before(self, moment: datetime) -> bool:
        """Whether any job changed stage before ``moment``: the models' only teacher."""
        statement = sa.select(JobStageEvent.id).where(JobStageEvent.occurred_at < moment)
        return self.session.scalars(statement.limit(1)).first() is not None

    def completion_dates(self, job_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, datetime]:
        """When each of these jobs first reached ``completed`` (jobs not completed are absent)."""
        completed: dict[uuid.UUID, datetime] = {}
        for chunk in in_chunks(job_ids):
            statement = (
                sa.select(
                    JobStageEvent.job_id,
                    sa.func.min(JobStageEvent.occurred_at).label("completed_at"),
                )
                .where(
                    JobStageEvent.job_id.in_(chunk),
                    JobStageEvent.to_stage == JobStage.COMPLETED,
                )
                .group_by(JobStageEvent.job_id)
            )
            completed.update(
                {row.job_id: row.completed_at for row in self.session.execute(statement)}
            )
        return completed
