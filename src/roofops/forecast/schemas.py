"""JSON shapes of the forecast API: runs with their metrics, a job's window, series with their
bands, and forecast vs actual."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from roofops.forecast.accuracy import Accuracy, JobCheck, PointCheck, RunAccuracy
from roofops.forecast.results import (
    DateBand,
    ForecastSeries,
    JobCompletionForecast,
    JsonScalar,
    SeriesPoint,
)
from roofops.kit.schemas import IsoDate, OrmModel
from roofops.models.enums import JobStage
from roofops.models.forecast import ForecastRunStatus, ForecastTrigger


class RunIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    as_of: IsoDate | None = Field(
        default=None, description="forecast as of this day; default the company's today"
    )


class MetricsOut(BaseModel):
    model: str
    kind: str = Field(description="fit: facts of this run's model; backtest: held-out scores")
    metrics: dict[str, float | None]
    detail: dict[str, JsonScalar]


class RunOut(OrmModel):
    id: uuid.UUID
    as_of: date
    status: ForecastRunStatus
    trigger: ForecastTrigger
    started_at: datetime
    finished_at: datetime | None
    duration_seconds: float | None
    error: str = Field(description="why the run failed; empty otherwise")
    threads: int = Field(description="threads the numeric libraries were allowed")
    created_by_id: uuid.UUID | None
    metrics: list[MetricsOut]


class RunDetailOut(RunOut):
    job_forecasts: int = Field(description="open jobs the run predicted")
    series_points: int = Field(description="points of all the run's series")

    @classmethod
    def of(cls, summary: RunOut, counts: tuple[int, int]) -> RunDetailOut:
        """The run as listed, and how many job windows and series points it stored."""
        jobs, points = counts
        return cls(**summary.model_dump(), job_forecasts=jobs, series_points=points)


class DateBandOut(BaseModel):
    p10: date
    p50: date
    p90: date

    @classmethod
    def of(cls, band: DateBand) -> DateBandOut:
        return cls(p10=band.p10, p50=band.p50, p90=band.p90)


class JobWindowOut(BaseModel):
    """The 80 % window (p10 to p90) around the median start and finish day."""

    job_id: uuid.UUID
    stage: JobStage
    days_in_stage: int
    start: DateBandOut | None = Field(description="null once the job is in production")
    finish: DateBandOut
    basis: dict[str, JsonScalar] = Field(description="what the prediction rests on")

    @classmethod
    def of(cls, window: JobCompletionForecast) -> JobWindowOut:
        return cls(
            job_id=window.job_id,
            stage=window.stage,
            days_in_stage=window.days_in_stage,
            start=DateBandOut.of(window.start) if window.start else None,
            finish=DateBandOut.of(window.finish),
            basis=dict(window.basis),
        )


class SeriesPointOut(BaseModel):
    period_start: date
    p10: float | None
    p50: float | None
    p90: float | None
    actual: float | None
    components: dict[str, JsonScalar]

    @classmethod
    def of(cls, point: SeriesPoint) -> SeriesPointOut:
        return cls(
            period_start=point.period_start,
            p10=point.p10,
            p50=point.p50,
            p90=point.p90,
            actual=point.actual,
            components=dict(point.components),
        )


class SeriesOut(BaseModel):
    key: str
    label: str
    unit: str
    period: str
    definition: str
    source: str
    points: list[SeriesPointOut]

    @classmethod
    def of(cls, series: ForecastSeries) -> SeriesOut:
        return cls(
            key=series.key,
            label=series.label,
            unit=str(series.unit),
            period=series.period,
            definition=series.definition,
            source=series.source,
            points=[SeriesPointOut.of(point) for point in series.points],
        )


class RunAccuracyOut(BaseModel):
    run_id: uuid.UUID
    as_of: date
    jobs_forecast: int
    jobs_completed: int = Field(description="jobs of the run completed since: the ones checked")
    mae_days: float | None = Field(description="mean absolute error of the median finish day")
    bias_days: float | None = Field(description="mean error; positive: jobs finished later")
    coverage_80: float | None = Field(description="share of finishes inside p10-p90")
    points_checked: int
    points_coverage_80: float | None
    points_mape_pct: float | None

    @classmethod
    def of(cls, score: RunAccuracy) -> RunAccuracyOut:
        return cls(**score.__dict__)


class JobCheckOut(BaseModel):
    run_id: uuid.UUID
    job_id: uuid.UUID
    finish_p10: date
    finish_p50: date
    finish_p90: date
    actual: date
    error_days: int
    inside: bool

    @classmethod
    def of(cls, check: JobCheck) -> JobCheckOut:
        return cls(**check.__dict__, error_days=check.error_days, inside=check.inside)


class PointCheckOut(BaseModel):
    run_id: uuid.UUID
    series_key: str
    period_start: date
    p10: float | None
    p50: float
    p90: float | None
    actual: float
    inside: bool | None

    @classmethod
    def of(cls, check: PointCheck) -> PointCheckOut:
        return cls(**check.__dict__, inside=check.inside)


class AccuracyOut(BaseModel):
    runs: list[RunAccuracyOut]
    jobs: list[JobCheckOut]
    points: list[PointCheckOut]

    @classmethod
    def of(cls, accuracy: Accuracy) -> AccuracyOut:
        return cls(
            runs=[RunAccuracyOut.of(score) for score in accuracy.runs],
            jobs=[JobCheckOut.of(check) for check in accuracy.jobs],
            points=[PointCheckOut.of(check) for check in accuracy.points],
        )
