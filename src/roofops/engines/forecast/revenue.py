"""Revenue by week and by month: what will be invoiced, by invoice issue date.

Revenue here is **invoiced revenue**: an invoice's total counts on its issue date (not when it
is paid, not accrued over the work). Three components, simulated together (seeded):

* ``backlog``: per sold job, its contract amount minus what is already invoiced, invoiced on a
  simulated finish day plus an invoicing lag drawn from history;
* ``pipeline``: per open lead or estimate, its estimated amount if won (a Bernoulli draw with
  its calibrated probability), on its finish day (conditional on winning) plus the lag;
* ``run_rate``: money from leads not yet in the system: a statistical forecast of weekly
  invoiced revenue times the share history shows came from leads younger than ``k`` weeks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from roofops.engines.forecast.demand import SEASON_WEEKS, SeriesModel
from roofops.engines.forecast.projection_sim import (
    Z80,
    Band,
    add_to_periods,
    bands,
    month_starts,
    period_table,
    remaining_days,
    resample,
    week_starts,
)

COMPONENTS = ("backlog", "pipeline", "run_rate")


@dataclass(frozen=True)
class RevenueItem:
    """Money still to invoice on one job; ``finish_offsets`` are simulated finish days."""

    key: str
    cents: int
    finish_offsets: np.ndarray
    probability: float = 1.0
    # Days since the job finished, when it already has: the lag is then conditional on it.
    days_since_finish: int | None = None

    @property
    def component(self) -> str:
        return "backlog" if self.probability >= 1.0 else "pipeline"


@dataclass(frozen=True)
class RevenueInputs:
    as_of: date
    items: Sequence[RevenueItem] = ()
    invoice_lags: np.ndarray = field(default_factory=lambda: np.zeros(1, dtype=np.int64))
    weekly_history: np.ndarray = field(default_factory=lambda: np.zeros(0))  # cents, oldest first
    share_new: np.ndarray = field(default_factory=lambda: np.zeros(0))  # by weeks ahead


@dataclass(frozen=True)
class RevenuePeriod:
    start: date
    band: Band  # cents
    components: dict[str, float]  # cents, sample means


@dataclass(frozen=True)
class RevenueForecast:
    as_of: date
    weeks: tuple[RevenuePeriod, ...]
    months: tuple[RevenuePeriod, ...]
    samples: int


def forecast_revenue(
    inputs: RevenueInputs,
    series_model: SeriesModel,
    *,
    weeks: int = 12,
    months: int = 6,
    samples: int = 400,
    seed: int = 0,
) -> RevenueForecast:
    """Simulate invoiced revenue; weekly and monthly bands from the same simulated days."""
    rng = np.random.default_rng(seed)
    week_list = week_starts(inputs.as_of, weeks)
    month_list = month_starts(inputs.as_of, months)
    month_end = _next_month(month_list[-1])
    days = max((month_end - inputs.as_of).days, (week_list[-1] + timedelta(7) - inputs.as_of).days)
    daily = {name: np.zeros((samples, days)) for name in COMPONENTS}
    identity = np.arange(days)
    for item in inputs.items:
        offsets = _invoice_offsets(item, inputs.invoice_lags, samples, rng)
        won = rng.random(samples) < item.probability
        add_to_periods(daily[item.component], offsets, won * float(item.cents), identity)
    daily["run_rate"] += _run_rate_daily(inputs, days, samples, series_model, rng)
    return RevenueForecast(
        inputs.as_of,
        _periods(daily, inputs.as_of, week_list, week_list[-1] + timedelta(7)),
        _periods(daily, inputs.as_of, month_list, month_end),
        samples,
    )


def _next_month(start: date) -> date:
    return date(start.year + 1, 1, 1) if start.month == 12 else date(start.year, start.month + 1, 1)


def _invoice_offsets(
    item: RevenueItem, lags: np.ndarray, samples: int, rng: np.random.Generator
) -> np.ndarray:
    if item.days_since_finish is not None:
        return remaining_days(lags, item.days_since_finish, samples, rng)
    finish = resample(np.asarray(item.finish_offsets), samples, rng)
    return np.asarray(np.clip(finish, 0, None) + rng.choice(lags, size=samples))


def _run_rate_daily(
    inputs: RevenueInputs, days: int, samples: int, model: SeriesModel, rng: np.random.Generator
) -> np.ndarray:
    """Each simulated week's new-lead revenue spread evenly over its seven days."""
    y = np.asarray(inputs.weekly_history, dtype=float)
    weeks = -(-(days + inputs.as_of.weekday()) // 7)
    if y.size < 3 or not y.any():
        return np.zeros((samples, days))
    season = SEASON_WEEKS if y.size >= 2 * SEASON_WEEKS else 1
    mean, lower, upper = model(y, weeks, season)
    share = np.resize(np.asarray(inputs.share_new, dtype=float), weeks)
    if inputs.share_new.size < weeks:  # beyond the learned lead times every sale is new
        share[inputs.share_new.size :] = inputs.share_new[-1] if inputs.share_new.size else 1.0
    sd = np.maximum(upper - lower, 0.0) / (2 * Z80)
    weekly = np.clip(
        rng.normal(np.clip(mean, 0, None) * share, sd * share, (samples, weeks)), 0, None
    )
    per_day = np.repeat(weekly / 7.0, 7, axis=1)
    start = inputs.as_of.weekday()  # week 0 starts on the Monday before the origin
    return per_day[:, start : start + days]


def _periods(
    daily: dict[str, np.ndarray], as_of: date, starts: Sequence[date], end: date
) -> tuple[RevenuePeriod, ...]:
    table = period_table(as_of, starts, end)
    count = len(starts)
    totals = {}
    for name, matrix in daily.items():
        summed = np.zeros((matrix.shape[0], count))
        for period in range(count):
            summed[:, period] = matrix[:, : table.size][:, table == period].sum(axis=1)
        totals[name] = summed
    overall = sum(totals.values(), np.zeros((next(iter(daily.values())).shape[0], count)))
    return tuple(
        RevenuePeriod(start, band, {name: float(totals[name][:, i].mean()) for name in COMPONENTS})
        for i, (start, band) in enumerate(zip(starts, bands(overall), strict=True))
    )
