"""Period arithmetic: the week or month holding a day, the one before, a year before."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

import pytest

from roofops.kpi.results import Grain, KpiValue, Period
from roofops.kpi.service import HISTORY, history_periods, kpi_service

MONTH, WEEK = Grain.MONTH, Grain.WEEK


@pytest.mark.parametrize(
    ("day", "start", "end"),
    [
        (date(2026, 2, 14), date(2026, 2, 1), date(2026, 2, 28)),
        (date(2024, 2, 29), date(2024, 2, 1), date(2024, 2, 29)),
        (date(2026, 12, 31), date(2026, 12, 1), date(2026, 12, 31)),
        (date(2026, 1, 1), date(2026, 1, 1), date(2026, 1, 31)),
    ],
)
def test_the_month_holding_a_day(day: date, start: date, end: date) -> None:
    assert kpi_service.period_containing(day, MONTH) == Period(start, end, MONTH)


@pytest.mark.parametrize(
    ("day", "start"),
    [
        (date(2026, 12, 5), date(2026, 11, 30)),  # a Saturday
        (date(2026, 11, 30), date(2026, 11, 30)),  # a Monday
        (date(2026, 12, 6), date(2026, 11, 30)),  # a Sunday
        (date(2027, 1, 1), date(2026, 12, 28)),  # across the new year
    ],
)
def test_the_week_holding_a_day_runs_monday_to_sunday(day: date, start: date) -> None:
    week = kpi_service.period_containing(day, WEEK)
    assert (week.start, week.end) == (start, date.fromordinal(start.toordinal() + 6))


def test_the_month_before_and_the_year_before() -> None:
    march = kpi_service.period_containing(date(2024, 3, 9), MONTH)
    assert march.previous() == Period(date(2024, 2, 1), date(2024, 2, 29), MONTH)
    assert march.year_before() == Period(date(2023, 3, 1), date(2023, 3, 31), MONTH)
    january = kpi_service.period_containing(date(2026, 1, 9), MONTH)
    assert january.previous() == Period(date(2025, 12, 1), date(2025, 12, 31), MONTH)
    leap = kpi_service.period_containing(date(2024, 2, 9), MONTH)
    assert leap.year_before() == Period(date(2023, 2, 1), date(2023, 2, 28), MONTH)


def test_the_week_before_and_the_same_week_a_year_before() -> None:
    week = kpi_service.period_containing(date(2026, 6, 18), WEEK)
    assert week.previous().start == date(2026, 6, 8)
    assert week.year_before().start == date(2025, 6, 16)
    assert week.year_before().start.weekday() == 0


def test_history_is_thirteen_consecutive_periods_ending_with_the_period() -> None:
    june = kpi_service.period_containing(date(2026, 6, 30), MONTH)
    history = history_periods(june)
    assert len(history) == HISTORY
    assert history[-1] == june
    assert history[0] == june.year_before()
    assert all(a.end.toordinal() + 1 == b.start.toordinal() for a, b in pairwise(history))


def test_changes_are_relative_and_none_without_a_base() -> None:
    june = kpi_service.period_containing(date(2026, 6, 30), MONTH)

    def value(now: float | None, before: float | None) -> KpiValue:
        return KpiValue("revenue", june, now, before, None, {}, False, "")

    assert value(110, 100).change == pytest.approx(0.1)
    assert value(90, -100).change == pytest.approx(1.9)
    assert value(10, 0).change is None
    assert value(None, 5).change is None
    assert value(10, 5).change_year is None
