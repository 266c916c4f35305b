"""What one forecast run computes: the four parts' entry points, then the backtests.

Reads only. The parts import the heavy libraries (lifelines, statsforecast, LightGBM), so
they are imported here when a run starts, never when the app starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session

from roofops.exceptions import ValidationFailed
from roofops.forecast.repository import JobForecastRepository
from roofops.forecast.results import ForecastSeries, JobCompletionForecast, ModelMetrics

# Backtest origins a quarter apart: far enough that the jobs open at one have mostly finished
# by the next, so each origin scores different jobs.
ORIGIN_SPACING = timedelta(days=91)


@dataclass(frozen=True)
class RunOutputs:
    """Everything a run stores: the job windows, the series, and the models' metrics (the
    fit facts of this run's models and the backtests on past origins)."""

    jobs: tuple[JobCompletionForecast, ...]
    series: tuple[ForecastSeries, ...]
    fit_metrics: tuple[ModelMetrics, ...]
    backtest_metrics: tuple[ModelMetrics, ...] = ()


def backtest_origins(as_of: date, count: int) -> list[date]:
    """``count`` origins a quarter apart before ``as_of``, oldest first."""
    return [as_of - ORIGIN_SPACING * step for step in range(count, 0, -1)]


def compute_outputs(db: Session, as_of: date, *, seed: int, origins: int) -> RunOutputs:
    _require_history(db, as_of)
    from roofops.forecast.completion import backtest_completions, forecast_completions
    from roofops.forecast.projections import (
        backtest_projections,
        calibrate_projections,
        forecast_demand,
        forecast_revenue,
    )
    from roofops.forecast.trends import compute_trends

    completions = forecast_completions(db, as_of, seed=seed)
    # The projections place work on the raw completion model's finishes: their bands are
    # calibrated on forecasts made that way, and on the recalibrated windows their p50 was
    # measured worse (demo backtest: demand WAPE 66 % -> 74 %, weekly revenue 45 % -> 51 %).
    raw = forecast_completions(db, as_of, seed=seed, calibrated=False)
    calibration = calibrate_projections(db, as_of, seed=seed)
    series = (
        *forecast_demand(db, as_of, raw, seed=seed, calibration=calibration),
        *forecast_revenue(db, as_of, raw, seed=seed, calibration=calibration),
        *compute_trends(db, as_of),
    )
    backtests: tuple[ModelMetrics, ...] = ()
    if origins:
        dates = backtest_origins(as_of, origins)
        backtests = (
            backtest_completions(db, origins=dates, seed=seed, as_of=as_of),
            *backtest_projections(db, origins=dates, seed=seed),
        )
    return RunOutputs(completions.jobs, series, (completions.metrics,), backtests)


def _require_history(db: Session, as_of: date) -> None:
    cut = datetime.combine(as_of, time.min, tzinfo=UTC)
    if not JobForecastRepository(db).has_history_before(cut):
        raise ValidationFailed(
            f"no job history before {as_of}: the models have nothing to learn from "
            "(import or sync jobs first, or pick a later as-of day)"
        )
