"""Conformal calibration of simulated bands: how much wider (or narrower) the p10-p90 and
p2.5-p97.5 bands must be for past forecasts to have held the truth as often as they claim.

The simulation misses variance it does not model (storm seasons that differ from year to year),
so its bands run narrow. Given past forecasts and the actuals that later came in, each miss is
normalised by its band's half-width on the side the actual fell (below p50: p50 - p10, above:
p90 - p50). The factor of a level is the empirical quantile of those ratios at that level (split
conformal calibration): scaling every half-width around p50 by it would have made the past bands
cover the nominal share. Too few past points leave the bands as simulated. (The finite-sample
correction of conformal prediction, the ceil((n + 1) level) / n quantile, was measured to
over-cover on the demo companies and is not used.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from roofops.engines.forecast.projection_sim import Band

# Below this many scored past points a quantile of the ratios is noise: bands stay as simulated.
MIN_POINTS = 30
# A factor is kept within these bounds: one bad season must not blow a band up (or shut it).
MIN_FACTOR = 0.5
MAX_FACTOR = 4.0
# The ratio given to a miss of a band with no width (p50 == p90): as far out as allowed.
NO_WIDTH_MISS = MAX_FACTOR


@dataclass(frozen=True)
class BandScale:
    """Factors on a band's half-widths around p50 (1 = as simulated), and their basis."""

    factor_80: float = 1.0
    factor_95: float = 1.0
    points: int = 0  # past forecast points the factors were learned from


IDENTITY = BandScale()


def normalised_misses(actuals: np.ndarray, bands: Sequence[Band], level: int) -> np.ndarray:
    """Per point, |actual - p50| over the band's half-width on the actual's side (level 80:
    p10/p90, 95: p2.5/p97.5). A ratio above 1 is a point outside that band."""
    p50 = np.array([b.p50 for b in bands])
    low = np.array([b.p10 if level == 80 else b.p025 for b in bands])
    high = np.array([b.p90 if level == 80 else b.p975 for b in bands])
    width = np.where(actuals >= p50, high - p50, p50 - low)
    gap = np.abs(actuals - p50)
    safe = np.where(width > 0, width, 1.0)
    return np.where(width > 0, gap / safe, np.where(gap > 0, NO_WIDTH_MISS, 0.0))


def empirical_factor(misses: np.ndarray, level: int) -> float:
    """The ratio at which ``level`` % of the past points would have been inside: the
    empirical quantile of the ratios (interpolated), clipped to the allowed range."""
    factor = float(np.quantile(misses, level / 100))
    return float(np.clip(factor, MIN_FACTOR, MAX_FACTOR))


def fit_scale(
    actuals: Sequence[float], bands: Sequence[Band], *, min_points: int = MIN_POINTS
) -> BandScale:
    """The factors that make past ``bands`` cover their ``actuals`` at 80 % and 95 %."""
    if len(actuals) < min_points:
        return IDENTITY
    values = np.asarray(actuals, dtype=float)
    return BandScale(
        factor_80=empirical_factor(normalised_misses(values, bands, 80), 80),
        factor_95=empirical_factor(normalised_misses(values, bands, 95), 95),
        points=len(actuals),
    )


def widen(band: Band, scale: BandScale, *, floor: float = 0.0) -> Band:
    """``band`` with its half-widths scaled around p50; no quantile below ``floor`` (demand and
    revenue are never negative) and the quantiles kept in order."""
    p10 = max(floor, band.p50 - scale.factor_80 * (band.p50 - band.p10))
    p90 = band.p50 + scale.factor_80 * (band.p90 - band.p50)
    p025 = max(floor, min(p10, band.p50 - scale.factor_95 * (band.p50 - band.p025)))
    p975 = max(p90, band.p50 + scale.factor_95 * (band.p975 - band.p50))
    return Band(p025=p025, p10=p10, p50=band.p50, p90=p90, p975=p975)
