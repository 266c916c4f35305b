"""A stored forecast run for page tests: two jobs' windows, a skill's demand against capacity
with a shortfall and an idle week, weekly revenue, and monthly trends with a planted anomaly."""

from __future__ import annotations

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
from roofops.models.forecast import ForecastRun, ForecastTrigger
from roofops.models.job import Job

MONDAY = date(2026, 11, 30)
SCHEDULED_FINISH = date(2027, 1, 20)


def window_for(job: Job, finish: date, *, start: date | None = None) -> JobCompletionForecast:
    return JobCompletionForecast(
        job_id=job.id,
        stage=job.stage,
        days_in_stage=9,
        start=DateBand(start - timedelta(days=3), start, start + timedelta(days=6))
        if start
        else None,
        finish=DateBand(finish - timedelta(days=5), finish, finish + timedelta(days=12)),
        basis={"similar_jobs": 412, "backlog_jobs_per_crew": 3.5, "season": "winter"},
    )


def weekly(key: str, label: str, values: list[float], **flags: list[bool]) -> ForecastSeries:
    points = tuple(
        SeriesPoint(
            MONDAY + timedelta(weeks=week),
            p10=value * 0.8,
            p50=value,
            p90=value * 1.2,
            components={"scheduled": value / 2, **{k: v[week] for k, v in flags.items()}},
        )
        for week, value in enumerate(values)
    )
    unit = Unit.CENTS if key.startswith("revenue") else Unit.CREW_HOURS
    return ForecastSeries(key, label, unit, "week", points, f"{label} per week.", "tests")


def monthly(key: str, label: str, unit: Unit, anomaly_month: int) -> ForecastSeries:
    points = tuple(
        SeriesPoint(
            date(2025 + (month // 12), month % 12 + 1, 1),
            p10=8.0,
            p50=10.0,
            p90=12.0,
            actual=30.0 if month == anomaly_month else 10.0,
            components={"trend": 10.0, "yoy_pct": 5.0, "anomaly": month == anomaly_month},
        )
        for month in range(14)
    )
    return ForecastSeries(key, label, unit, "month", points, f"{label} by month.", "tests")


def store_run(db: Session, outputs: RunOutputs, *, as_of: date) -> ForecastRun:
    run = forecast_service.open_run(db, as_of, trigger=ForecastTrigger.CLI)
    forecast_service.store(db, run, outputs)
    forecast_service.finish(run, 12.0)
    return run


def sample_outputs(scheduled: Job, production: Job) -> RunOutputs:
    return RunOutputs(
        jobs=(
            window_for(scheduled, SCHEDULED_FINISH, start=date(2027, 1, 4)),
            window_for(production, date(2026, 12, 10)),
        ),
        series=(
            weekly(
                "demand.crew_hours.shingle",
                "Shingle demand",
                [100, 180, 40],
                shortfall=[False, True, False],
                idle=[False, False, True],
            ),
            weekly("capacity.crew_hours.shingle", "Shingle capacity", [150, 150, 150]),
            weekly("revenue.week", "Revenue by week", [5_000_000, 6_000_000, 7_000_000]),
            monthly("trend.leads", "Leads", Unit.COUNT, anomaly_month=13),
            monthly("trend.revenue", "Revenue (invoiced)", Unit.CENTS, anomaly_month=20),
        ),
        fit_metrics=(ModelMetrics("completion", {"observations": 1200, "censored_share": 0.25}),),
        backtest_metrics=(ModelMetrics("completion", {"coverage_80": 0.79, "mae_days": 6.14}),),
    )
