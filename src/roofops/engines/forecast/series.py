"""The project's model for one time series: the mean of AutoETS and the Theta method.

Why this pair: on M3 monthly each alone scores a MASE of about 0.86 and their mean about
0.84; they err differently (ETS picks its own trend and seasonality by AICc, Theta is a
drift-plus-smoothing that rarely overshoots), so averaging them is the robust choice for
series we have never seen (see docs/forecasting-series.md for the figures).

Seasonality: ETS handles periods up to 24 itself. Longer periods (52 for weekly data) are
beyond ETS, so when the data show the season (an autocorrelation test, or the season
explaining most of the detrended variance) the series is seasonally adjusted by classical
decomposition, both models forecast the adjusted series and the seasonal indices are put
back. Theta runs the same test for its own decomposition.

Intervals: at each level the union of the two models' intervals (the lower of the lower
bounds, the higher of the upper ones), which always holds both models' means. The method
was chosen by the coverage measured on M3 monthly and on a weekly panel
(docs/forecasting-series.md), not assumed.

Short series (fewer than ``MIN_MODEL_POINTS``) get a naive forecast with random-walk
intervals; constant series a flat forecast with zero-width intervals. All of it runs in the
calling thread; ``forecast_panel`` can fan out to processes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from roofops.engines.forecast.baselines import naive
from roofops.engines.forecast.series_result import SeriesForecast

__all__ = ["SeriesForecast", "forecast_panel", "forecast_series"]

MIN_MODEL_POINTS = 8
MAX_ETS_SEASON = 24
SEASONALITY_Z = NormalDist().inv_cdf(0.95)  # the M4 benchmarks' 90 % two-sided ACF test
STRONG = 0.64  # seasonal strength above which a season is kept (the tsfeatures convention)


@dataclass(frozen=True)
class _Seasonal:
    """Seasonal indices over one period, and how they combine with the adjusted series."""

    indices: np.ndarray
    multiplicative: bool

    def remove(self, y: np.ndarray) -> np.ndarray:
        factors = self._factors(0, len(y))
        adjusted: np.ndarray = y / factors if self.multiplicative else y - factors
        return adjusted

    def restore(self, values: np.ndarray, offset: int) -> np.ndarray:
        factors = self._factors(offset, len(values))
        seasonal: np.ndarray = values * factors if self.multiplicative else values + factors
        return seasonal

    def _factors(self, offset: int, count: int) -> np.ndarray:
        return np.take(self.indices, offset + np.arange(count), mode="wrap")


def forecast_series(
    y: Sequence[float] | np.ndarray,
    horizon: int,
    *,
    season_length: int,
    levels: tuple[int, ...] = (80, 95),
) -> SeriesForecast:
    """Forecast one series ``horizon`` steps ahead with the ETS + Theta combination.

    Parameters
    ----------
    y
        The observed values, oldest first, evenly spaced, no gaps; at least 3 points.
    horizon
        Steps to forecast (>= 1).
    season_length
        Observations per seasonal cycle (1 for none, 4, 7, 12, 52, ...).
    levels
        Central interval levels in percent.

    Returns
    -------
    SeriesForecast
        Mean and intervals of shape ``(horizon,)``.
    """
    values = _validated(y, horizon, season_length, levels)
    if np.ptp(values) == 0:
        return _constant(values, horizon, levels)
    if len(values) < MIN_MODEL_POINTS:
        return naive(values, horizon, levels=levels)
    seasonal = _long_season(values, season_length)
    if seasonal is None:
        within_ets = season_length if season_length <= MAX_ETS_SEASON else 1
        return _ets_theta(values, horizon, within_ets, levels)
    adjusted = _ets_theta(seasonal.remove(values), horizon, 1, levels)
    return _reseasonalized(adjusted, seasonal, len(values))


def forecast_panel(
    series: Mapping[str, np.ndarray],
    horizon: int,
    *,
    season_length: int,
    levels: tuple[int, ...] = (80, 95),
    n_jobs: int = 1,
) -> dict[str, SeriesForecast]:
    """``forecast_series`` for every series; ``n_jobs`` > 1 spreads them over processes."""
    keys = list(series)
    arguments = [(series[key], horizon, season_length, levels) for key in keys]
    if n_jobs <= 1:
        return {key: _forecast_one(argument) for key, argument in zip(keys, arguments, strict=True)}
    chunk = max(1, len(keys) // (n_jobs * 8))
    with ProcessPoolExecutor(max_workers=n_jobs) as pool:
        results = pool.map(_forecast_one, arguments, chunksize=chunk)
        return dict(zip(keys, results, strict=True))


def _forecast_one(argument: tuple[np.ndarray, int, int, tuple[int, ...]]) -> SeriesForecast:
    y, horizon, season_length, levels = argument
    return forecast_series(y, horizon, season_length=season_length, levels=levels)


def _validated(
    y: Sequence[float] | np.ndarray, horizon: int, season_length: int, levels: tuple[int, ...]
) -> np.ndarray:
    values = np.asarray(y, dtype=float)
    if values.ndim != 1 or len(values) < 3:
        raise ValueError(f"a series needs at least 3 points, got {values.size}")
    if not np.all(np.isfinite(values)):
        raise ValueError("a series must not hold NaN or infinite values")
    if horizon < 1 or season_length < 1:
        raise ValueError(f"horizon and season_length must be >= 1: {horizon}, {season_length}")
    if not all(0 < level < 100 for level in levels):
        raise ValueError(f"interval levels are percentages in (0, 100): {levels}")
    return values


def _constant(values: np.ndarray, horizon: int, levels: tuple[int, ...]) -> SeriesForecast:
    flat = np.full(horizon, values[-1])
    bounds = dict.fromkeys(levels, flat)
    return SeriesForecast(flat, bounds, bounds, "constant")


def _ets_theta(
    values: np.ndarray, horizon: int, season_length: int, levels: tuple[int, ...]
) -> SeriesForecast:
    from statsforecast.models import AutoETS, Theta

    level_list = list(levels)
    ets = AutoETS(season_length=season_length).forecast(y=values, h=horizon, level=level_list)
    theta = Theta(season_length=season_length).forecast(y=values, h=horizon, level=level_list)
    mean = (ets["mean"] + theta["mean"]) / 2
    # The union of the two intervals: where the models disagree the truth is less certain
    # than either one's own interval says (measured: averaging the bounds covered 75 % at
    # 80 % and 90 % at 95 % on M3 monthly; the union 82 % and 93 %).
    lower = {level: np.minimum(ets[f"lo-{level}"], theta[f"lo-{level}"]) for level in levels}
    upper = {level: np.maximum(ets[f"hi-{level}"], theta[f"hi-{level}"]) for level in levels}
    return SeriesForecast(mean, lower, upper, "ets+theta")


def _long_season(values: np.ndarray, season_length: int) -> _Seasonal | None:
    """Seasonal indices when the period is too long for ETS and the data show the season."""
    if season_length <= MAX_ETS_SEASON or len(values) < 2 * season_length:
        return None
    from statsmodels.tsa.seasonal import seasonal_decompose

    multiplicative = bool(np.min(values) > 0)
    model = "multiplicative" if multiplicative else "additive"
    parts = seasonal_decompose(values, model=model, period=season_length)
    known = np.isfinite(parts.trend)  # the moving average leaves half a season at each end
    detrended = (values - parts.trend)[known]
    # The season in the series' own units, so that the strength compares like with like.
    in_units = (parts.seasonal - 1) * parts.trend if multiplicative else parts.seasonal
    found = _has_season(detrended, season_length) or _strong_season(detrended, in_units[known])
    if not found:
        return None
    if multiplicative and np.min(parts.seasonal) < 0.01:
        return None  # near-zero indices would blow the adjusted series up
    return _Seasonal(np.asarray(parts.seasonal[:season_length]), multiplicative)


def _has_season(detrended: np.ndarray, season_length: int) -> bool:
    """The M4 benchmarks' test: autocorrelation at the season's lag beyond its 90 % band."""
    from statsmodels.tsa.stattools import acf

    if len(detrended) <= season_length:
        return False
    r = acf(detrended, nlags=season_length, fft=True)[1:]
    spread = np.sqrt((1 + 2 * np.sum(r[:-1] ** 2)) / len(detrended))
    return bool(abs(r[-1]) / spread > SEASONALITY_Z)


def _strong_season(detrended: np.ndarray, seasonal: np.ndarray) -> bool:
    """Whether the seasonal strength (Wang, Smith & Hyndman 2006: 1 - Var(remainder) /
    Var(detrended)) reaches ``STRONG``.

    The ACF test misses smooth seasons (every lag of a smooth wave is correlated, so its
    band is wide); a season that explains most of the detrended variance is kept anyway.
    """
    variance = float(np.var(detrended))
    return variance > 0 and 1 - float(np.var(detrended - seasonal)) / variance >= STRONG


def _reseasonalized(adjusted: SeriesForecast, seasonal: _Seasonal, n: int) -> SeriesForecast:
    def restore(values: np.ndarray) -> np.ndarray:
        return seasonal.restore(values, n)

    return SeriesForecast(
        restore(adjusted.mean),
        {level: restore(bound) for level, bound in adjusted.lower.items()},
        {level: restore(bound) for level, bound in adjusted.upper.items()},
        f"{adjusted.model}+deseasonalized",
    )
