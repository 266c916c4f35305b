"""The trends engine on synthetic months: a planted anomaly is flagged, YoY is exact on a known
series, the decomposition finds the season, and a partial month is never judged."""

from __future__ import annotations

import math

import numpy as np
import pytest

from roofops.engines.forecast.trends import analyse_trend


def _seasonal_months(count: int, *, noise: float = 2.0, seed: int = 7) -> list[float | None]:
    rng = np.random.default_rng(seed)
    months = np.arange(count)
    values = 100 + 0.5 * months + 20 * np.sin(2 * np.pi * months / 12) + rng.normal(0, noise, count)
    return [float(v) for v in values]


def test_a_planted_anomaly_is_flagged_and_quiet_months_are_not() -> None:
    values = _seasonal_months(40)
    values[33] = float(values[33] or 0) + 60  # a hail storm's month of leads

    analysis = analyse_trend(values)

    flagged = [i for i, point in enumerate(analysis.points) if point.anomaly]
    assert 33 in flagged
    assert len(flagged) <= 3  # a 95 % interval: a rare false alarm at most
    band = analysis.points[33]
    assert band.p10 is not None
    assert band.p90 is not None
    assert band.p90 < float(values[33] or 0)
    assert analysis.decomposition == "stl(12)"


def test_the_first_year_has_no_band_and_no_anomaly() -> None:
    analysis = analyse_trend(_seasonal_months(30))

    first_year = analysis.points[:12]
    assert all(point.p50 is None and not point.anomaly for point in first_year)
    assert all(point.p50 is not None for point in analysis.points[12:])


def test_yoy_on_a_series_growing_ten_percent_a_year() -> None:
    values: list[float | None] = [100.0 * 1.1 ** (i // 12) for i in range(36)]

    analysis = analyse_trend(values)

    for point in analysis.points[12:]:
        assert point.yoy_pct == pytest.approx(10.0, abs=1.5)
    assert all(point.yoy_pct is None for point in analysis.points[:12])


def test_yoy_as_difference_gives_points_for_a_margin() -> None:
    values: list[float | None] = [30.0] * 12 + [33.0] * 12

    analysis = analyse_trend(values, yoy_as_difference=True, season_length=12)

    assert analysis.points[20].yoy_pct == pytest.approx(3.0, abs=0.5)


def test_the_decomposition_adds_up_and_finds_the_season() -> None:
    values = _seasonal_months(36, noise=0.0)

    analysis = analyse_trend(values)

    for value, point in zip(values, analysis.points, strict=True):
        assert point.trend is not None
        assert point.seasonal is not None
        assert point.remainder is not None
        assert point.trend + point.seasonal + point.remainder == pytest.approx(value)
    # month 3 is the sine's peak, month 9 its trough
    assert (analysis.points[27].seasonal or 0) > 15 > -15 > (analysis.points[33].seasonal or 0)


def test_a_month_not_judged_is_never_an_anomaly_and_a_gap_stays_a_gap() -> None:
    values = _seasonal_months(30)
    values[25] = float(values[25] or 0) + 80
    values[20] = None

    analysis = analyse_trend(values, judged=[i != 25 for i in range(30)])

    assert not analysis.points[25].anomaly
    assert analysis.points[20].actual is None
    assert analysis.points[20].seasonal is None
    assert analysis.points[20].trend is not None
    assert not math.isnan(analysis.points[20].trend)


def test_a_short_series_uses_a_moving_average_and_no_series_gives_nothing() -> None:
    short = analyse_trend([5.0, 7.0, 6.0, 8.0])
    assert short.decomposition == "moving average(3)"
    assert [p.seasonal for p in short.points] == [0.0] * 4

    assert analyse_trend([None, None]).points == ()


def test_bands_stop_at_the_floor_and_a_margin_may_go_below_zero() -> None:
    values: list[float | None] = [0.0, 1.0] * 10 + [0.0]

    counts = analyse_trend(values)
    margins = analyse_trend([v - 5 if v is not None else None for v in values], floor=None)

    assert min(p.p10 for p in counts.points if p.p10 is not None) >= 0.0
    assert min(p.p10 for p in margins.points if p.p10 is not None) < -5.0
