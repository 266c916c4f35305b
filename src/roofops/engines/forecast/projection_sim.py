"""Simulation helpers the demand and revenue projections share: conditional lags, day offsets
bucketed into weeks or months, and quantile bands of simulated totals.

Every simulated quantity is a matrix ``(samples, periods)``; one row is one possible future.
Day offsets count calendar days from the origin (``as_of`` is offset 0).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

# The quantiles every band reports: p10/p50/p90 for the pages, 2.5/97.5 for the 95 % backtest.
QUANTILES = (2.5, 10.0, 50.0, 90.0, 97.5)
# z of the 90th percentile: turns an 80 % interval's half-width into a standard deviation.
Z80 = 1.2815515655446004
# Two years of months before the series model is asked for a yearly season.
SEASON_MONTHS = 12

# (history, horizon, season_length) -> (mean, lower80, upper80): the series model.
SeriesModel = Callable[[np.ndarray, int, int], tuple[np.ndarray, np.ndarray, np.ndarray]]


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


def next_month(start: date) -> date:
    return date(start.year + 1, 1, 1) if start.month == 12 else date(start.year, start.month + 1, 1)


def months_between(first: date, end: date) -> int:
    """The calendar months from ``first``'s to the one holding the day before ``end``."""
    last = end - timedelta(days=1)
    return (last.year - first.year) * 12 + last.month - first.month + 1


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


def daily_to_periods(daily: np.ndarray, table: np.ndarray, count: int) -> np.ndarray:
    """Sum a ``(samples, days)`` matrix into ``(samples, count)`` periods by the day table."""
    totals = np.zeros((daily.shape[0], count))
    days = min(daily.shape[1], table.size)
    for period in range(count):
        totals[:, period] = daily[:, :days][:, table[:days] == period].sum(axis=1)
    return totals


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


def _seasonal_forecast(
    y: np.ndarray, as_of: date, horizon: int, model: SeriesModel
) -> tuple[np.ndarray, np.ndarray]:
    """(mean, standard deviation) of the months from the origin's on.

    Roofing work is seasonal (storm season, winter), and the series model is asked for a
    yearly season only with two years of months. From one year on, the months are divided by
    calendar-month indices (each month's mean over the years seen, relative to the overall
    mean, shrunk towards 1 by the years seen), forecast without season, and multiplied back.
    """
    if y.size < SEASON_MONTHS or y.size >= 2 * SEASON_MONTHS:
        season = SEASON_MONTHS if y.size >= 2 * SEASON_MONTHS else 1
        mean, lower, upper = model(y, horizon, season)
        return mean, np.maximum(upper - lower, 0.0) / (2 * Z80)
    calendar = (as_of.month - 1 - np.arange(y.size, 0, -1)) % 12
    indices = np.ones(SEASON_MONTHS)
    overall = y.mean()
    for month in range(SEASON_MONTHS):
        seen = y[calendar == month]
        if seen.size and overall > 0:
            weight = seen.size / (seen.size + 1)
            indices[month] = weight * seen.mean() / overall + (1 - weight)
    indices = np.maximum(indices, 0.05)
    mean, lower, upper = model(y / indices[calendar], horizon, 1)
    ahead = indices[(as_of.month - 1 + np.arange(horizon)) % 12]
    return mean * ahead, np.maximum(upper - lower, 0.0) / (2 * Z80) * ahead


def new_work_daily(
    monthly: np.ndarray,
    as_of: date,
    *,
    days: int,
    age_cdf: np.ndarray,
    model: SeriesModel,
    samples: int,
    rng: np.random.Generator,
    lump: float = 0.0,
) -> np.ndarray:
    """Simulated amounts per day ``(samples, days)`` from the origin on, of work from leads not
    yet in the system.

    ``monthly`` is the total per calendar month, oldest first, ending with the month before the
    origin's. The series model forecasts the months ahead (monthly totals are far less lumpy
    than weekly ones); each simulated month is spread evenly over its days, and day ``d`` keeps
    the share ``age_cdf[d]`` of its amount: the share of past amounts whose lead had arrived at
    most ``d`` days before (a lead arriving after the origin is at most ``d`` days old then).

    Work comes in jobs, not as a smooth flow: with ``lump`` (E[X^2] / E[X] of one job's amount
    X) each day's amount is drawn from a gamma with that mean and variance mean x lump, the
    spread of a compound Poisson arrival of such jobs.
    """
    result = np.zeros((samples, days))
    y = np.asarray(monthly, dtype=float)
    if y.size < 3 or not y.any() or days == 0:
        return result
    months = month_starts(as_of, months_between(as_of, as_of + timedelta(days=days)))
    mean, sd = _seasonal_forecast(y, as_of, len(months), model)
    totals = np.clip(rng.normal(np.clip(mean, 0.0, None), sd, (samples, len(months))), 0.0, None)
    for index, start in enumerate(months):
        end = next_month(start)
        first, last = max(0, (start - as_of).days), min(days, (end - as_of).days)
        if first < last:
            share = age_cdf[np.minimum(np.arange(first, last), age_cdf.size - 1)]
            result[:, first:last] = totals[:, index : index + 1] / (end - start).days * share
    if lump > 0:
        positive = result > 0
        result[positive] = rng.gamma(result[positive] / lump, lump)
    return result
