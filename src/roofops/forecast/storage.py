"""Forecast results to rows and back: the shapes of roofops.forecast.results, stored.

JSON columns get plain Python values: numpy scalars become numbers and NaN or infinity
becomes null (PostgreSQL's JSONB refuses NaN, and a page cannot show it either).
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable, Mapping, Sequence
from itertools import groupby
from typing import Any

from roofops.forecast.results import (
    DateBand,
    ForecastSeries,
    JobCompletionForecast,
    JsonScalar,
    ModelMetrics,
    SeriesPoint,
    Unit,
)
from roofops.models.forecast import ForecastPoint, JobForecast


def plain(value: Any) -> JsonScalar:
    """A JSON scalar: numpy numbers as Python numbers, NaN and infinities as None."""
    if hasattr(value, "item"):  # a numpy scalar
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)  # a date or an enum member: its text


def plain_mapping(values: Mapping[str, Any]) -> dict[str, JsonScalar]:
    return {str(key): plain(value) for key, value in values.items()}


def metrics_json(metrics: Iterable[ModelMetrics], *, kind: str) -> list[dict[str, Any]]:
    """ModelMetrics as stored on a run; ``kind`` says whether they are fit facts or a backtest."""
    return [
        {
            "model": entry.model,
            "kind": kind,
            "metrics": plain_mapping(entry.metrics),
            "detail": plain_mapping(entry.detail),
        }
        for entry in metrics
    ]


def job_rows(run_id: uuid.UUID, jobs: Iterable[JobCompletionForecast]) -> list[JobForecast]:
    return [
        JobForecast(
            run_id=run_id,
            job_id=job.job_id,
            stage=job.stage,
            days_in_stage=job.days_in_stage,
            start_p10=job.start.p10 if job.start else None,
            start_p50=job.start.p50 if job.start else None,
            start_p90=job.start.p90 if job.start else None,
            finish_p10=job.finish.p10,
            finish_p50=job.finish.p50,
            finish_p90=job.finish.p90,
            basis=plain_mapping(job.basis),
        )
        for job in jobs
    ]


def stored_window(row: JobForecast) -> JobCompletionForecast:
    start = None
    if row.start_p10 and row.start_p50 and row.start_p90:
        start = DateBand(row.start_p10, row.start_p50, row.start_p90)
    return JobCompletionForecast(
        job_id=row.job_id,
        stage=row.stage,
        days_in_stage=row.days_in_stage,
        start=start,
        finish=DateBand(row.finish_p10, row.finish_p50, row.finish_p90),
        basis=dict(row.basis),
    )


def point_rows(run_id: uuid.UUID, series: Iterable[ForecastSeries]) -> list[ForecastPoint]:
    return [
        ForecastPoint(
            run_id=run_id,
            series_key=one.key,
            label=one.label,
            unit=str(one.unit),
            period=one.period,
            definition=one.definition,
            source=one.source,
            period_start=point.period_start,
            p10=_number(point.p10),
            p50=_number(point.p50),
            p90=_number(point.p90),
            actual=_number(point.actual),
            components=plain_mapping(point.components),
        )
        for one in series
        for point in one.points
    ]


def series_from_points(points: Sequence[ForecastPoint]) -> tuple[ForecastSeries, ...]:
    """The series whose points these are; ``points`` ordered by key, then period."""
    return tuple(_series(list(rows)) for _, rows in groupby(points, key=lambda row: row.series_key))


def _series(rows: list[ForecastPoint]) -> ForecastSeries:
    first = rows[0]
    return ForecastSeries(
        key=first.series_key,
        label=first.label,
        unit=Unit(first.unit),
        period="month" if first.period == "month" else "week",
        points=tuple(
            SeriesPoint(
                period_start=row.period_start,
                p10=row.p10,
                p50=row.p50,
                p90=row.p90,
                actual=row.actual,
                components=dict(row.components),
            )
            for row in rows
        ),
        definition=first.definition,
        source=first.source,
    )


def _number(value: float | None) -> float | None:
    number = plain(value)
    return float(number) if isinstance(number, int | float) else None
