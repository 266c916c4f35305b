"""Trends of one monthly measure: seasonal decomposition, seasonally adjusted year-over-year
growth, and anomalies (a month outside the interval a model fitted on the months before it gave).

Pure: a sequence of monthly values in (``None`` for a month with nothing to measure, such as a
margin in a month when no job was final), a frozen :class:`TrendAnalysis` out. Deterministic: the
decomposition (STL) and the interval model (the project's series model, ETS and Theta:
engines.forecast.series) have no random state.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from roofops.engines.forecast.series import forecast_series

# STL needs two full seasons to tell a seasonal pattern from a trend.
MIN_SEASONS_FOR_STL = 2
# A month is judged only against a model that has seen a year of history before it.
MIN_HISTORY = 12
BAND_LEVEL = 80  # the p10-p90 band shown on the pages
ANOMALY_LEVEL = 95  # an 80 % band is crossed by one month in five by design: too noisy to flag


@dataclass(frozen=True)
class TrendPoint:
    """One month. ``p10``/``p50``/``p90`` are the one-step-ahead prediction made from the months
    before this one (None for the first year); ``anomaly`` says the actual fell outside that
    prediction's ``ANOMALY_LEVEL`` % interval."""

    actual: float | None
    trend: float | None
    seasonal: float | None
    remainder: float | None
    seasonally_adjusted: float | None
    yoy_pct: float | None
    p10: float | None
    p50: float | None
    p90: float | None
    anomaly: bool


@dataclass(frozen=True)
class TrendAnalysis:
    points: tuple[TrendPoint, ...]
    decomposition: str  # "stl(12)" or "moving average(3)": what the trend column is
    interval_model: str
    anomaly_level: int = ANOMALY_LEVEL


@dataclass(frozen=True)
class _Decomposition:
    trend: np.ndarray
    seasonal: np.ndarray
    method: str


@dataclass(frozen=True)
class _OneStep:
    p10: float
    p50: float
    p90: float
    low: float  # the anomaly interval
    high: float


def analyse_trend(
    values: Sequence[float | None],
    *,
    season_length: int = 12,
    judged: Sequence[bool] | None = None,
    yoy_as_difference: bool = False,
    floor: float | None = 0.0,
) -> TrendAnalysis:
    """Decompose a monthly series, grow it year over year and flag its anomalies.

    Parameters
    ----------
    values
        One value per month, oldest first; None where the month has nothing to measure.
    season_length
        The seasonal period (12 for monthly data).
    judged
        Per month, whether it may be flagged (False for a month whose figure is still partial).
        Every month with a value is judged when omitted.
    yoy_as_difference
        Give year-over-year change as a difference (percentage points for a margin) instead
        of a relative change in percent.
    floor
        The least value the measure can take (0 for counts, money and days; None for a
        margin, which can be negative): prediction bands are cut there.

    Returns
    -------
    TrendAnalysis
        One :class:`TrendPoint` per month, and which methods produced them.
    """
    observed = np.array([np.nan if v is None else float(v) for v in values], dtype=float)
    if np.isnan(observed).all():
        return TrendAnalysis((), decomposition="none", interval_model="none")
    filled = _interpolated(observed)
    parts = _decompose(filled, season_length)
    flags = [True] * len(observed) if judged is None else list(judged)
    bands = _one_step_bands(filled, season_length, floor)
    yoy = [
        _yoy(parts.trend, observed, i, season_length, yoy_as_difference)
        for i in range(len(observed))
    ]
    points = tuple(
        _point(
            observed[i], parts.trend[i], parts.seasonal[i], bands.get(i), yoy[i], judged=flags[i]
        )
        for i in range(len(observed))
    )
    return TrendAnalysis(
        points, decomposition=parts.method, interval_model="one-step-ahead ets+theta"
    )


def _point(
    observed: float,
    trend: float,
    seasonal: float,
    band: _OneStep | None,
    yoy: float | None,
    *,
    judged: bool,
) -> TrendPoint:
    known = not np.isnan(observed)
    actual = float(observed) if known else None
    anomaly = (
        band is not None and actual is not None and judged and not band.low <= actual <= band.high
    )
    return TrendPoint(
        actual=actual,
        trend=float(trend),
        seasonal=float(seasonal) if known else None,
        remainder=float(observed - trend - seasonal) if known else None,
        seasonally_adjusted=float(observed - seasonal) if known else None,
        yoy_pct=yoy,
        p10=band.p10 if band else None,
        p50=band.p50 if band else None,
        p90=band.p90 if band else None,
        anomaly=anomaly,
    )


def _yoy(
    trend: np.ndarray, observed: np.ndarray, i: int, lag: int, as_difference: bool
) -> float | None:
    """Change of the trend (the seasonally adjusted, smoothed level) against the same month a
    year before, both measured. The trend, not actual minus seasonal: with three years of
    history one storm month moves a seasonal index enough to make a raw adjusted YoY swing by
    hundreds of percent."""
    if i < lag or np.isnan(observed[i]) or np.isnan(observed[i - lag]):
        return None
    now, before = float(trend[i]), float(trend[i - lag])
    if as_difference:
        return round(now - before, 4)
    if before <= 0:
        return None  # growth from nothing (or from a negative adjusted figure) has no meaning
    return round((now / before - 1.0) * 100.0, 4)


def _interpolated(observed: np.ndarray) -> np.ndarray:
    """Gaps filled linearly (edges with the nearest value): STL and ETS need a complete series."""
    index = np.arange(len(observed))
    known = ~np.isnan(observed)
    return np.asarray(np.interp(index, index[known], observed[known]), dtype=float)


def _decompose(filled: np.ndarray, season_length: int) -> _Decomposition:
    if season_length > 1 and len(filled) >= MIN_SEASONS_FOR_STL * season_length:
        from statsmodels.tsa.seasonal import STL

        fit = STL(filled, period=season_length, robust=True).fit()
        return _Decomposition(
            np.asarray(fit.trend), np.asarray(fit.seasonal), f"stl({season_length})"
        )
    # Under two years a seasonal pattern cannot be told apart: a centred 3-month mean is the trend.
    window = min(3, len(filled))
    kernel = np.ones(window) / window
    padded = np.pad(filled, (window // 2, window - 1 - window // 2), mode="edge")
    trend = np.convolve(padded, kernel, mode="valid")
    return _Decomposition(trend, np.zeros_like(filled), f"moving average({window})")


def _one_step_bands(
    filled: np.ndarray, season_length: int, floor: float | None
) -> dict[int, _OneStep]:
    """For each month after the first year: the prediction a model fitted on the months before
    it made for it (never on the month itself, else an anomaly would pull its own band)."""
    return {i: _one_step(filled[:i], season_length, floor) for i in range(MIN_HISTORY, len(filled))}


def _one_step(history: np.ndarray, season_length: int, floor: float | None) -> _OneStep:
    forecast = forecast_series(
        history, 1, season_length=season_length, levels=(BAND_LEVEL, ANOMALY_LEVEL)
    )

    def bounded(values: np.ndarray) -> float:
        value = float(values[0])
        return value if floor is None else max(floor, value)

    return _OneStep(
        p10=bounded(forecast.lower[BAND_LEVEL]),
        p50=bounded(forecast.mean),
        p90=bounded(forecast.upper[BAND_LEVEL]),
        low=bounded(forecast.lower[ANOMALY_LEVEL]),
        high=bounded(forecast.upper[ANOMALY_LEVEL]),
    )
