"""The accuracy measures against figures worked out by hand."""

from __future__ import annotations

import math

import pytest

from roofops.engines.forecast.metrics import coverage, mase, smape


def test_mase_scales_by_the_in_sample_seasonal_change() -> None:
    # season 2: in-sample changes |3-1|, |4-2|, |6-3| -> mean 7/3; errors 1 and 3 -> mean 2
    assert mase([1, 2, 3, 4, 6], [7, 8], [6, 5], season=2) == pytest.approx(2 / (7 / 3))


def test_mase_of_a_series_shorter_than_a_season_uses_one_step_changes() -> None:
    # 3 points, season 12: changes |2|, |2| -> scale 2; error 4 -> 2.0
    assert mase([1, 3, 5], [9], [5], season=12) == pytest.approx(2.0)


def test_mase_of_a_flat_training_series_is_undefined() -> None:
    assert math.isnan(mase([4, 4, 4, 4], [5], [4], season=1))


def test_smape_is_the_m4_symmetric_percentage() -> None:
    # 2|100-110| / (100+110) = 0.0952..; the 0/0 step counts 0; the mean in percent
    assert smape([100, 0], [110, 0]) == pytest.approx(100 * (20 / 210 + 0) / 2)
    assert smape([1], [-1]) == pytest.approx(200.0)


def test_coverage_counts_the_bounds_as_inside() -> None:
    assert coverage([1, 2, 3, 4], [1, 0, 3.5, 0], [2, 1, 4, 4]) == pytest.approx(0.5)
