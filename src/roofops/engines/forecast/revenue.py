"""Revenue by week and by month: what will be invoiced, by invoice issue date.

Revenue here is **invoiced revenue**: an invoice's total counts on its issue date (not when it
is paid, not accrued over the work). Three components, simulated together (seeded):

* ``backlog``: per sold job, its contract amount minus what is already invoiced, invoiced on a
  simulated finish day plus an invoicing lag drawn from history;
* ``pipeline``: per open lead or estimate, its estimated amount if won (a Bernoulli draw with
  its calibrated probability), on its finish day (conditional on winning) plus the lag;
* ``run_rate``: money from leads not yet in the system: the series model's forecast of
  monthly invoiced revenue, kept in the share history shows came from leads younger than the
  days ahead (:func:`~roofops.engines.forecast.projection_sim.new_work_daily`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from roofops.engines.forecast.projection_sim import (
    Band,
    SeriesModel,
    add_to_periods,
    bands,
    daily_to_periods,
    month_starts,
    new_work_daily,
    next_month,
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
    # Invoiced cents per calendar month, oldest first, ending with the month before the origin's.
    monthly_history: np.ndarray = field(default_factory=lambda: np.zeros(0))
    # Share of past invoiced cents whose lead had arrived at most d days before the invoice.
    age_cdf: np.ndarray = field(default_factory=lambda: np.ones(1))
    lump: float = 0.0  # E[X^2] / E[X] of one invoice's cents X (see new_work_daily)


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
    month_end = next_month(month_list[-1])
    days = max((month_end - inputs.as_of).days, (week_list[-1] + timedelta(7) - inputs.as_of).days)
    daily = {name: np.zeros((samples, days)) for name in COMPONENTS}
    identity = np.arange(days)
    for item in inputs.items:
        offsets = _invoice_offsets(item, inputs.invoice_lags, samples, rng)
        won = rng.random(samples) < item.probability
        add_to_periods(daily[item.component], offsets, won * float(item.cents), identity)
    daily["run_rate"] += new_work_daily(
        inputs.monthly_history,
        inputs.as_of,
        days=days,
        age_cdf=inputs.age_cdf,
        model=series_model,
        samples=samples,
        rng=rng,
        lump=inputs.lump,
    )
    return RevenueForecast(
        inputs.as_of,
        _periods(daily, inputs.as_of, week_list, week_list[-1] + timedelta(7)),
        _periods(daily, inputs.as_of, month_list, month_end),
        samples,
    )


def _invoice_offsets(
    item: RevenueItem, lags: np.ndarray, samples: int, rng: np.random.Generator
) -> np.ndarray:
    if item.days_since_finish is not None:
        return remaining_days(lags, item.days_since_finish, samples, rng)
    finish = resample(np.asarray(item.finish_offsets), samples, rng)
    return np.asarray(np.clip(finish, 0, None) + rng.choice(lags, size=samples))


def _periods(
    daily: dict[str, np.ndarray], as_of: date, starts: Sequence[date], end: date
) -> tuple[RevenuePeriod, ...]:
    table = period_table(as_of, starts, end)
    totals = {name: daily_to_periods(matrix, table, len(starts)) for name, matrix in daily.items()}
    overall = sum(totals.values(), np.zeros_like(totals[COMPONENTS[0]]))
    return tuple(
        RevenuePeriod(start, band, {name: float(totals[name][:, i].mean()) for name in COMPONENTS})
        for i, (start, band) in enumerate(zip(starts, bands(overall), strict=True))
    )
