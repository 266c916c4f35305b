"""Forecasting: each run of the forecast models (nightly, manual, demo, CLI) with its backtest
metrics, the completion window it predicted for every open job, and the points of every series
it produced (demand, capacity, revenue, trends).

A run's rows are written in one transaction with the run; a failed run keeps only its row and
the error. The shapes stored here are those of roofops.forecast.results; docs/forecasting.md.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from roofops.kit.types import StrEnum, UTCDateTime, json_type, string_enum
from roofops.models.base import Base, Timestamps, UUIDPrimaryKey
from roofops.models.enums import JobStage


class ForecastRunStatus(StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class ForecastTrigger(StrEnum):
    NIGHTLY = "nightly"
    MANUAL = "manual"
    DEMO = "demo"
    CLI = "cli"


class ForecastRun(UUIDPrimaryKey, Timestamps, Base):
    """One run of every forecast model as of a date, with the backtest metrics it measured."""

    __tablename__ = "forecast_runs"
    __table_args__ = (sa.Index("ix_forecast_runs_status_as_of", "status", "as_of"),)

    as_of: Mapped[date] = mapped_column(sa.Date)
    status: Mapped[ForecastRunStatus] = mapped_column(
        string_enum(ForecastRunStatus), default=ForecastRunStatus.RUNNING
    )
    trigger: Mapped[ForecastTrigger] = mapped_column(string_enum(ForecastTrigger))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    duration_seconds: Mapped[float | None] = mapped_column(sa.Float)
    # The sentence a page shows when the run failed.
    error: Mapped[str] = mapped_column(sa.Text, default="")
    # ModelMetrics as dicts: [{"model": "completion", "metrics": {...}, "detail": {...}}, ...]
    metrics: Mapped[list[dict[str, Any]]] = mapped_column(json_type(), default=list)
    # Threads the numeric libraries were allowed (LightGBM, numba, BLAS).
    threads: Mapped[int] = mapped_column(sa.Integer, default=1)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )


class JobForecast(UUIDPrimaryKey, Base):
    """One open job's predicted start and finish in one run; start is NULL once in production."""

    __tablename__ = "job_forecasts"
    __table_args__ = (sa.UniqueConstraint("run_id", "job_id"),)

    run_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("forecast_runs.id", ondelete="CASCADE"))
    job_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("jobs.id", ondelete="CASCADE"), index=True
    )
    stage: Mapped[JobStage] = mapped_column(string_enum(JobStage))
    days_in_stage: Mapped[int] = mapped_column(sa.Integer)
    start_p10: Mapped[date | None] = mapped_column(sa.Date)
    start_p50: Mapped[date | None] = mapped_column(sa.Date)
    start_p90: Mapped[date | None] = mapped_column(sa.Date)
    finish_p10: Mapped[date] = mapped_column(sa.Date)
    finish_p50: Mapped[date] = mapped_column(sa.Date)
    finish_p90: Mapped[date] = mapped_column(sa.Date)
    # What the prediction rests on: stage, days in it, job type, season, backlog, comparables.
    basis: Mapped[dict[str, Any]] = mapped_column(json_type(), default=dict)


class ForecastPoint(UUIDPrimaryKey, Base):
    """One period of one series in one run; the series' label, unit and definition repeat on
    each point so a series reads back from its points alone."""

    __tablename__ = "forecast_points"
    __table_args__ = (sa.Index("ix_forecast_points_run_id_series_key", "run_id", "series_key"),)

    run_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("forecast_runs.id", ondelete="CASCADE"))
    series_key: Mapped[str] = mapped_column(sa.String(120))
    label: Mapped[str] = mapped_column(sa.String(200))
    unit: Mapped[str] = mapped_column(sa.String(32))
    period: Mapped[str] = mapped_column(sa.String(16))
    definition: Mapped[str] = mapped_column(sa.Text, default="")
    source: Mapped[str] = mapped_column(sa.Text, default="")
    period_start: Mapped[date] = mapped_column(sa.Date)
    p10: Mapped[float | None] = mapped_column(sa.Float)
    p50: Mapped[float | None] = mapped_column(sa.Float)
    p90: Mapped[float | None] = mapped_column(sa.Float)
    actual: Mapped[float | None] = mapped_column(sa.Float)
    components: Mapped[dict[str, Any]] = mapped_column(json_type(), default=dict)
