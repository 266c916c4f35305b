"""Hand-built forecast results stored as a run: the storage and the API tested apart from the
models that normally compute them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy.orm import Session

from roofops.forecast.pipeline import RunOutputs
from roofops.forecast.results import (
    DateBand,
    ForecastSeries,
    JobCompletionForecast,
    ModelMetrics,
    SeriesPoint,
    Unit,
)
from roofops.forecast.service import forecast_service
from roofops.models.enums import JobStage
from roofops.models.forecast import ForecastRun, ForecastTrigger
from roofops.models.job import Job


def window(
    job: Job, finish: date, *, spread: int = 5, started: bool = False
) -> JobCompletionForecast:
    start = (
        None
        if started
        else DateBand(finish - timedelta(20), finish - timedelta(15), finish - timedelta(9))
    )
    return JobCompletionForecast(
        job_id=job.id,
        stage=JobStage.IN_PRODUCTION if started else JobStage.CONTRACT_SIGNED,
        days_in_stage=4,
        start=start,
        finish=DateBand(finish - timedelta(spread), finish, finish + timedelta(spread)),
        basis={"job_type": "reroof", "comparable_jobs": 41},
    )


def weekly(
    key: str,
    first: date,
    values: Sequence[float],
    *,
    unit: Unit = Unit.CREW_HOURS,
    actuals: Sequence[float | None] = (),
) -> ForecastSeries:
    points = tuple(
        SeriesPoint(
            period_start=first + timedelta(weeks=i),
            p10=value * 0.8,
            p50=value,
            p90=value * 1.2,
            actual=actuals[i] if i < len(actuals) else None,
            components={"scheduled": value / 2, "shortfall": False},
        )
        for i, value in enumerate(values)
    )
    return ForecastSeries(
        key, f"{key} label", unit, "week", points, f"{key} definition", "schedule"
    )


def store_run(
    db: Session,
    as_of: date,
    jobs: Sequence[JobCompletionForecast] = (),
    series: Sequence[ForecastSeries] = (),
) -> ForecastRun:
    run = forecast_service.open_run(db, as_of, trigger=ForecastTrigger.CLI)
    metrics = (ModelMetrics("completion", {"observations": 120.0, "censored_share": 0.2}),)
    backtests = (ModelMetrics("revenue", {"coverage_80": 0.8}),)
    forecast_service.store(db, run, RunOutputs(tuple(jobs), tuple(series), metrics, backtests))
    forecast_service.finish(run, 1.5)
    db.flush()
    return run
