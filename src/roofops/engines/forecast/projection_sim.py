"""Simulation helpers the demand and revenue projections share: conditional lags, day offsets
bucketed into weeks or months, and quantile bands of simulated totals.

Every simulated quantity is a matrix ``(samples, periods)``; one row is one possible future.
Day offsets count calendar days from the origin (``as_of`` is offset 0).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

# The quantiles every band reports: p10/p50/p90 for the pages, 2.5/97.5 for the 95 % backtest.
QUANTILES = (2.5, 10.0, 50.0, 90.0, 97.5)
# z of the 90th percentile: turns an 80 % interval's half-width into a standard deviation.
Z80 = 1.2815515655446004


@dataclass(frozen=True)
class Band:
    """Quantiles of one simulated period."""

    p025: float
    p10: float
    p50: float
    p90: float
    p975: float


def bands(simulated: np.ndarray) -> tuple[Band, ...]:
    """Per period (column), the quantiles of the simulated totals."""
    if simulated.shape[1] == 0:
        return ()
    q = np.percentile(simulated, QUANTILES, axis=0)
    return tuple(Band(*(float(v) for v in q[:, column])) for column in range(q.shape[1]))


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_starts(as_of: date, weeks: int) -> tuple[date, ...]:
    """The Mondays of the ``weeks`` weeks from the one holding ``as_of``."""
    first = monday_of(as_of)
    return tuple(first + timedelta(weeks=index) for index in range(weeks))


def month_starts(as_of: date, months: int) -> tuple[date, ...]:
    """The first days of the ``months`` months from the one holding ``as_of``."""
    starts, year, month = [], as_of.year, as_of.month
    for _ in range(months):
        starts.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(starts)


def period_table(as_of: date, starts: Sequence[date], end: date) -> np.ndarray:
    """For each day offset from ``as_of`` up to ``end`` (exclusive), the index of the period it
    falls in (``starts`` ascending, the last period ends at ``end``); -1 past the end."""
    days = max(0, (end - as_of).days)
    table = np.full(days, -1, dtype=np.int64)
    ordinals = np.array([s.toordinal() for s in starts])
    offsets = np.arange(days) + as_of.toordinal()
    index = np.searchsorted(ordinals, offsets, side="right") - 1
    table[:] = np.where(index >= 0, index, -1)
    return table


def add_to_periods(
    totals: np.ndarray, offsets: np.ndarray, values: np.ndarray | float, table: np.ndarray
) -> None:
    """Add ``values`` (per sample) landing on day ``offsets`` (per sample) into ``totals``.

    Offsets before the origin land on day 0 (overdue work or money is still to come); offsets
    past the table's end fall outside the horizon and are dropped.
    """
    clipped = np.clip(offsets, 0, None).astype(np.int64)
    inside = clipped < table.size
    periods = np.where(inside, table[np.minimum(clipped, table.size - 1)], -1)
    keep = periods >= 0
    rows = np.nonzero(keep)[0]
    weights = np.broadcast_to(np.asarray(values, dtype=float), offsets.shape)[keep]
    np.add.at(totals, (rows, periods[keep]), weights)


def remaining_days(
    durations: np.ndarray, elapsed: int, samples: int, rng: np.random.Generator
) -> np.ndarray:
    """Days still to go, drawn from past total durations longer than what has already elapsed
    (conditioning on elapsed time, as a survival model would). With no longer past duration,
    the thing is overdue: it happens within the next two weeks, uniformly."""
    longer = durations[durations > elapsed]
    if longer.size == 0:
        return rng.integers(0, 14, size=samples)
    return np.asarray(rng.choice(longer, size=samples) - elapsed, dtype=np.int64)


def resample(values: np.ndarray, samples: int, rng: np.random.Generator) -> np.ndarray:
    """``samples`` draws from another model's simulated values (its sample count may differ)."""
    if values.size == samples:
        return np.asarray(values, dtype=np.int64)
    return np.asarray(rng.choice(values, size=samples), dtype=np.int64)
