"""The pure measures the performance pages and the KPI registry share."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from roofops.performance import measures


def test_median_and_percentile_interpolate_like_a_spreadsheet() -> None:
    assert measures.median([]) is None
    assert measures.median([3.0]) == 3.0
    assert measures.median([4.0, 1.0, 3.0, 2.0]) == 2.5
    assert measures.percentile([10.0, 11.0, 15.0], 80) == pytest.approx(13.4)
    assert measures.percentile([1.0, 2.0, 3.0, 4.0, 5.0], 0) == 1.0
    assert measures.percentile([1.0, 2.0, 3.0, 4.0, 5.0], 100) == 5.0
    with pytest.raises(ValueError, match="between 0 and 100"):
        measures.percentile([1.0], 101)


def test_rates_are_none_when_there_is_nothing_to_measure() -> None:
    assert measures.close_rate(0, 0) is None
    assert measures.close_rate(3, 1) == 0.75
    assert measures.rate(1, 4) == 0.25
    assert measures.margin(0, 0) is None
    assert measures.margin(10_000, 12_500) == -0.25
    assert measures.per_day(50, 0) is None


def test_average_cents_rounds_half_away_from_zero() -> None:
    assert measures.average_cents([]) is None
    assert measures.average_cents([1, 2]) == 2
    assert measures.average_cents([-1, -2]) == -2
    assert measures.average_cents([100, 200, 400]) == 233


def test_days_and_on_time() -> None:
    start = datetime(2025, 3, 1, 6, tzinfo=UTC)
    assert measures.days_between(start, datetime(2025, 3, 2, 18, tzinfo=UTC)) == 1.5
    assert measures.on_time(date(2025, 3, 3), date(2025, 3, 4), 1)
    assert not measures.on_time(date(2025, 3, 3), date(2025, 3, 5), 1)
    assert measures.on_time(date(2025, 3, 3), date(2025, 3, 1), 0)  # early counts
    assert measures.crew_days_for(40, 20) == 2
