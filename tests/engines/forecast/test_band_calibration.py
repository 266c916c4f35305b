"""Conformal band calibration: factors grow with the misses, too little past changes nothing,
and calibrated bands cover the nominal share of new points."""

from __future__ import annotations

import numpy as np
import pytest

from roofops.engines.forecast.band_calibration import (
    IDENTITY,
    MAX_FACTOR,
    MIN_POINTS,
    BandScale,
    fit_scale,
    widen,
)
from roofops.engines.forecast.projection_sim import Band

# The band a simulation with standard deviation 1 around 10 gives.
UNIT = Band(p025=10 - 1.959964, p10=10 - 1.281552, p50=10.0, p90=10 + 1.281552, p975=10 + 1.959964)


def _truth(spread: float, count: int, seed: int) -> np.ndarray:
    return 10 + spread * np.random.default_rng(seed).standard_normal(count)


def _coverage(actuals: np.ndarray, band: Band) -> tuple[float, float]:
    return (
        float(np.mean((actuals >= band.p10) & (actuals <= band.p90))),
        float(np.mean((actuals >= band.p025) & (actuals <= band.p975))),
    )


def test_too_little_past_leaves_the_bands_as_simulated() -> None:
    actuals = _truth(3.0, MIN_POINTS - 1, seed=1)
    scale = fit_scale(list(actuals), [UNIT] * actuals.size)
    assert scale == IDENTITY
    assert widen(UNIT, scale) == UNIT


@pytest.mark.parametrize("level", [80, 95])
def test_the_factor_grows_with_the_misses(level: int) -> None:
    factors = []
    for spread in (0.5, 1.0, 2.0, 20.0):
        actuals = _truth(spread, 400, seed=2)
        scale = fit_scale(list(actuals), [UNIT] * actuals.size)
        factors.append(scale.factor_80 if level == 80 else scale.factor_95)
    assert factors == sorted(factors)
    assert factors[1] == pytest.approx(1.0, abs=0.15)  # the simulation was right: kept
    assert factors[2] == pytest.approx(2.0, rel=0.15)
    assert factors[3] == MAX_FACTOR  # one wild past does not blow the band up without bound


def test_calibrated_bands_cover_the_nominal_share_of_new_points() -> None:
    past, future = _truth(2.0, 300, seed=3), _truth(2.0, 4000, seed=4)
    assert _coverage(future, UNIT)[0] < 0.55  # the simulated band is far too narrow
    band = widen(UNIT, fit_scale(list(past), [UNIT] * past.size))
    covered_80, covered_95 = _coverage(future, band)
    assert 0.75 <= covered_80 <= 0.85
    assert 0.92 <= covered_95 <= 0.98


def test_widening_keeps_the_quantiles_in_order_and_above_the_floor() -> None:
    skewed = Band(p025=0.5, p10=1.0, p50=2.0, p90=6.0, p975=7.0)
    wide = widen(skewed, BandScale(factor_80=3.0, factor_95=1.0, points=50))
    assert wide.p025 == 0.0  # never a negative amount
    assert wide.p10 == 0.0
    assert wide.p90 == 14.0
    assert wide.p975 == wide.p90  # the 95 % band never inside the 80 % one
    narrow = widen(skewed, BandScale(factor_80=0.5, factor_95=0.5, points=50))
    assert (narrow.p025, narrow.p10, narrow.p50, narrow.p90, narrow.p975) == (1.25, 1.5, 2, 4, 4.5)
