"""Pure measures on plain values, shared by the performance pages and the KPI registry.

Nothing here reads the database, settings or the clock: callers hand in numbers and get numbers
(or None where there is nothing to measure, never a made-up zero).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime

SECONDS_PER_DAY = 86_400.0


def median(values: Sequence[float]) -> float | None:
    """The middle value (mean of the two middle ones for an even count); None when empty."""
    return percentile(values, 50)


def percentile(values: Sequence[float], pct: float) -> float | None:
    """The ``pct``-th percentile by linear interpolation between closest ranks.

    The same definition as numpy's default ("linear") and Excel's PERCENTILE.INC, so a
    spreadsheet on the drill-down rows gives the same figure. None when ``values`` is empty.
    """
    if not 0 <= pct <= 100:
        raise ValueError(f"percentile must be between 0 and 100, got {pct}")
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def ratio(numerator: float, denominator: float) -> float | None:
    """numerator / denominator, None when the denominator is zero (nothing to measure)."""
    return numerator / denominator if denominator else None


def close_rate(won: int, lost: int) -> float | None:
    """Won / decided (won + lost), 0..1; open leads are not decided and do not count."""
    return ratio(won, won + lost)


def margin(revenue_cents: int, cost_cents: int) -> float | None:
    """Gross margin (revenue - cost) / revenue, 0..1 (negative on a loss); None without revenue."""
    return ratio(revenue_cents - cost_cents, revenue_cents)


def rate(hits: int, total: int) -> float | None:
    """A share of ``total`` (on-time starts, callbacks per completed job), None when total is 0."""
    return ratio(hits, total)


def average_cents(amounts: Sequence[int]) -> int | None:
    """Mean of integer cents, rounded half away from zero to whole cents; None when empty."""
    if not amounts:
        return None
    total, count = sum(amounts), len(amounts)
    quotient, remainder = divmod(abs(total), count)
    rounded = quotient + (1 if 2 * remainder >= count else 0)
    return rounded if total >= 0 else -rounded


def days_between(start: datetime, end: datetime) -> float:
    """Elapsed days between two instants, fractional (a stage visit of 36 hours is 1.5)."""
    return (end - start).total_seconds() / SECONDS_PER_DAY


def late_by_days(planned: date, actual: date) -> int:
    """Whole days ``actual`` falls after ``planned`` (negative when early)."""
    return (actual - planned).days


def on_time(planned: date, actual: date, tolerance_days: int) -> bool:
    """True when ``actual`` is no more than ``tolerance_days`` after ``planned`` (early counts)."""
    return late_by_days(planned, actual) <= tolerance_days


def per_day(amount: float, days: float) -> float | None:
    """An amount per day (squares per crew-day), None when no day was spent."""
    return ratio(amount, days)


def crew_days_for(squares: float, squares_per_day: float) -> float | None:
    """Crew-days a job of ``squares`` needs at a crew capacity of ``squares_per_day``."""
    return ratio(squares, squares_per_day)
