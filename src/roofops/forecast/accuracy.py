"""Forecast vs actual: what past runs predicted, checked against what happened since.

A job window is checked once the job has completed: the error is the actual finish day minus
the predicted median, and the 80 % window (p10 to p90) either held it or not. A series point
that was a forecast when its run was made (no actual yet) is checked once a later run knows its
actual (the newest run's ``actual`` for the same series and period). Nothing here queries: the
service hands in the rows.
"""

from __future__ import annotations

import statistics
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from roofops.models.forecast import ForecastPoint, ForecastRun, JobForecast


@dataclass(frozen=True)
class JobCheck:
    run_id: uuid.UUID
    job_id: uuid.UUID
    finish_p10: date
    finish_p50: date
    finish_p90: date
    actual: date

    @property
    def error_days(self) -> int:
        """Positive when the job finished later than the median said."""
        return (self.actual - self.finish_p50).days

    @property
    def inside(self) -> bool:
        return self.finish_p10 <= self.actual <= self.finish_p90


@dataclass(frozen=True)
class PointCheck:
    run_id: uuid.UUID
    series_key: str
    period_start: date
    p10: float | None
    p50: float
    p90: float | None
    actual: float

    @property
    def inside(self) -> bool | None:
        if self.p10 is None or self.p90 is None:
            return None
        return self.p10 <= self.actual <= self.p90

    @property
    def abs_pct_error(self) -> float | None:
        if self.actual == 0:
            return None
        return abs(self.actual - self.p50) / abs(self.actual) * 100


@dataclass(frozen=True)
class RunAccuracy:
    """One past run, scored: ``None`` where nothing could be checked yet."""

    run_id: uuid.UUID
    as_of: date
    jobs_forecast: int
    jobs_completed: int
    mae_days: float | None
    bias_days: float | None
    coverage_80: float | None
    points_checked: int
    points_coverage_80: float | None
    points_mape_pct: float | None


@dataclass(frozen=True)
class Accuracy:
    runs: tuple[RunAccuracy, ...]
    jobs: tuple[JobCheck, ...]
    points: tuple[PointCheck, ...]


def job_checks(
    windows: Sequence[JobForecast], completed_on: Mapping[uuid.UUID, date]
) -> list[JobCheck]:
    return [
        JobCheck(
            run_id=row.run_id,
            job_id=row.job_id,
            finish_p10=row.finish_p10,
            finish_p50=row.finish_p50,
            finish_p90=row.finish_p90,
            actual=completed_on[row.job_id],
        )
        for row in windows
        if row.job_id in completed_on
    ]


def point_checks(
    forecasts: Sequence[ForecastPoint], actuals: Mapping[tuple[str, date], float], before: date
) -> list[PointCheck]:
    """Points that were forecasts when their run was made (no actual then), of periods that
    started before ``before``, whose actual is known now."""
    return [
        PointCheck(
            run_id=row.run_id,
            series_key=row.series_key,
            period_start=row.period_start,
            p10=row.p10,
            p50=row.p50,
            p90=row.p90,
            actual=actuals[(row.series_key, row.period_start)],
        )
        for row in forecasts
        if row.p50 is not None
        and row.actual is None
        and row.period_start < before
        and (row.series_key, row.period_start) in actuals
    ]


def score_run(
    run: ForecastRun, jobs_forecast: int, jobs: Sequence[JobCheck], points: Sequence[PointCheck]
) -> RunAccuracy:
    errors = [check.error_days for check in jobs]
    banded = [check.inside for check in points if check.inside is not None]
    pct_errors = [e for e in (check.abs_pct_error for check in points) if e is not None]
    return RunAccuracy(
        run_id=run.id,
        as_of=run.as_of,
        jobs_forecast=jobs_forecast,
        jobs_completed=len(jobs),
        mae_days=_mean([abs(error) for error in errors]),
        bias_days=_mean(errors),
        coverage_80=_share([check.inside for check in jobs]),
        points_checked=len(points),
        points_coverage_80=_share(banded),
        points_mape_pct=_mean(pct_errors),
    )


def _mean(values: Sequence[float]) -> float | None:
    return round(statistics.fmean(values), 2) if values else None


def _share(flags: Sequence[bool]) -> float | None:
    return round(sum(flags) / len(flags), 3) if flags else None
