"""The benchmarks every forecast is compared with: naive and seasonal naive, with intervals.

Intervals follow Hyndman & Athanasopoulos (FPP3, 5.5): normal bounds from the residual
spread of the in-sample one-step (or one-season) forecasts, growing with the square root of
the steps (or of the completed cycles) ahead.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from roofops.engines.forecast.series_result import SeriesForecast, normal_quantile


def naive(
    y: Sequence[float] | np.ndarray, horizon: int, *, levels: tuple[int, ...] = (80, 95)
) -> SeriesForecast:
    """Every future step equals the last observation."""
    return seasonal_naive(y, horizon, season_length=1, levels=levels)


def seasonal_naive(
    y: Sequence[float] | np.ndarray,
    horizon: int,
    *,
    season_length: int,
    levels: tuple[int, ...] = (80, 95),
) -> SeriesForecast:
    """Each future step equals the same step one cycle earlier (naive when the data are
    shorter than two cycles)."""
    values = np.asarray(y, dtype=float)
    if len(values) < 2:
        raise ValueError("a baseline needs at least 2 points")
    season = season_length if len(values) > season_length else 1
    steps = np.arange(horizon)
    mean = values[len(values) - season + steps % season]
    residuals = values[season:] - values[:-season]
    sigma = float(np.sqrt(np.mean(residuals**2))) if len(residuals) else 0.0
    spread = sigma * np.sqrt(steps // season + 1)
    lower = {level: mean - normal_quantile(level) * spread for level in levels}
    upper = {level: mean + normal_quantile(level) * spread for level in levels}
    return SeriesForecast(mean, lower, upper, "naive" if season == 1 else "seasonal naive")
