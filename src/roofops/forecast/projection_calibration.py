"""Band calibration of the projections on the past known at the origin (nested, no leak).

At a few inner origins before ``as_of`` (Mondays of a fixed 4-weekly grid, the latest at least
13 weeks back so that its 12 weeks are over), the projections forecast from what was known
then; the weeks and months that ended before ``as_of`` are compared with the actuals the
history shows at ``as_of`` (:class:`Actuals`).
:func:`roofops.engines.forecast.band_calibration.fit_scale` turns the misses into the factors
that widen (or narrow) today's bands. The backtest scores its origins with the same
:func:`score_forecast`, against the actuals of the whole history.
"""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import numpy as np
from sqlalchemy.orm import Session

from roofops.engines.forecast import demand as demand_engine
from roofops.engines.forecast import revenue as revenue_engine
from roofops.engines.forecast.band_calibration import IDENTITY, BandScale, fit_scale, widen
from roofops.engines.forecast.projection_sim import Band, monday_of
from roofops.forecast.completion import forecast_completions
from roofops.forecast.projection_inputs import History, Money, plan_days_at
from roofops.forecast.projection_model import (
    WARM_UP,
    ProjectionWorld,
    weekly_crew_days,
    world_at,
)

INNER_ORIGINS = 6
INNER_SPACING = timedelta(weeks=4)
# The latest inner origin leaves a quarter for its 12 weeks to be over by the origin.
FOLLOW_UP = timedelta(weeks=13)
GRID_START = date(2001, 1, 1)  # a Monday


@dataclass
class BandScores:
    """Actuals against their bands, pooled over origins and periods."""

    actual: list[float] = field(default_factory=list)
    bands: list[Band] = field(default_factory=list)

    def add(self, actual: float, band: Band) -> None:
        self.actual.append(actual)
        self.bands.append(band)

    def metrics(self, prefix: str = "") -> dict[str, float]:
        if not self.actual:
            return {}
        a = np.array(self.actual)
        p50 = np.array([b.p50 for b in self.bands])
        inside80 = [b.p10 <= x <= b.p90 for x, b in zip(a, self.bands, strict=True)]
        inside95 = [b.p025 <= x <= b.p975 for x, b in zip(a, self.bands, strict=True)]
        positive = a > 0
        return {
            f"{prefix}coverage_80": float(np.mean(inside80)),
            f"{prefix}coverage_95": float(np.mean(inside95)),
            f"{prefix}wape": float(np.abs(a - p50).sum() / max(np.abs(a).sum(), 1e-9)),
            f"{prefix}mape": float(np.mean(np.abs(a - p50)[positive] / a[positive]))
            if positive.any()
            else 0.0,
            f"{prefix}bias_pct": float((p50.sum() - a.sum()) / max(a.sum(), 1e-9)),
            f"{prefix}points": float(a.size),
        }

    def scale(self) -> BandScale:
        return fit_scale(self.actual, self.bands)


@dataclass(frozen=True)
class Scores:
    """The three scored series of one or more origins."""

    demand: BandScores = field(default_factory=BandScores)
    weekly: BandScores = field(default_factory=BandScores)
    monthly: BandScores = field(default_factory=BandScores)


@dataclass(frozen=True)
class Actuals:
    """What the history shows on the morning of ``known_at``: crew-days per skill and week of
    the production completed by then, and the invoices issued before then."""

    known_at: date
    crew_days: dict[tuple[str, date], float]
    money: tuple[Money, ...]

    def seen(self, last_day: date) -> bool:
        return last_day < self.known_at

    def cents_between(self, start: date, end: date) -> float:
        return float(sum(m.cents for m in self.money if start <= m.day < end))


def actuals_at(history: History, known_at: date) -> Actuals:
    worked = weekly_crew_days(history, known_at)
    return Actuals(known_at, worked, tuple(history.money_before(known_at)))


@dataclass(frozen=True)
class OriginForecast:
    """The demand and revenue forecasts made at one origin, and the world they came from."""

    world: ProjectionWorld
    demand: demand_engine.DemandForecast
    revenue: revenue_engine.RevenueForecast


def forecast_origin(db: Session, history: History, origin: date, seed: int) -> OriginForecast:
    """The projections at ``origin``, work placed on the raw completion model's finishes as a
    run does (see roofops.forecast.pipeline)."""
    finishes = forecast_completions(db, origin, seed=seed, calibrated=False).finish_samples
    world = world_at(history, origin, finishes, plan_days_at(db, origin, history))
    return OriginForecast(world, world.demand(seed=seed), world.revenue(seed=seed))


def score_forecast(forecast: OriginForecast, actuals: Actuals, scores: Scores) -> None:
    """Add the forecast's periods that are over by ``actuals.known_at`` to ``scores``."""
    origin = forecast.world.as_of
    for row in forecast.demand.rows:
        if actuals.seen(row.week_start + timedelta(days=6)):
            scores.demand.add(actuals.crew_days.get((row.skill, row.week_start), 0.0), row.days)
    for periods, target in (
        (forecast.revenue.weeks, scores.weekly),
        (forecast.revenue.months, scores.monthly),
    ):
        for period in periods:
            end = _period_end(period.start, target is scores.weekly)
            if actuals.seen(end - timedelta(days=1)):
                target.add(actuals.cents_between(max(period.start, origin), end), period.band)


def _period_end(start: date, weekly: bool) -> date:
    return start + timedelta(days=7) if weekly else (start + timedelta(days=32)).replace(day=1)


@dataclass(frozen=True)
class Calibration:
    """Band factors for the three series, learned on the forecasts of ``origins`` past
    origins whose scored periods span ``weeks`` weeks before the origin."""

    demand: BandScale = IDENTITY
    weekly: BandScale = IDENTITY
    monthly: BandScale = IDENTITY
    origins: int = 0
    weeks: int = 0

    def describe(self, scale: BandScale) -> str:
        if scale == IDENTITY:
            return "Bands as simulated (too little past to calibrate them)."
        return (
            f"Band widths calibrated on {self.weeks} past weeks ({self.origins} past forecasts, "
            f"{scale.points} points): p10-p90 x{scale.factor_80:.2f}, "
            f"p2.5-p97.5 x{scale.factor_95:.2f} around p50."
        )


def inner_origins(history: History, as_of: date, count: int = INNER_ORIGINS) -> list[date]:
    """Mondays of a fixed 4-weekly grid whose 12 weeks are over by ``as_of``, newest first;
    none before the history's warm-up (a forecast from almost no past says nothing about
    today's). The grid is fixed so that origins near each other (a backtest's) share them."""
    weeks = (as_of - FOLLOW_UP - GRID_START).days // 7
    latest = GRID_START + timedelta(weeks=weeks - weeks % (INNER_SPACING.days // 7))
    first_lead = min((facts.lead_day for facts in history.jobs), default=as_of)
    candidates = (latest - INNER_SPACING * n for n in range(count))
    return [origin for origin in candidates if origin >= first_lead + 2 * WARM_UP]


def calibrate(
    db: Session,
    history: History,
    as_of: date,
    *,
    seed: int = 0,
    cache: MutableMapping[date, OriginForecast] | None = None,
) -> Calibration:
    """The band factors learned from forecasts at inner origins scored on what ``as_of``
    knows. ``cache`` shares inner forecasts between origins (the backtest's)."""
    origins = inner_origins(history, as_of)
    if not origins:
        return Calibration()
    known = cache if cache is not None else {}
    actuals, scores = actuals_at(history, as_of), Scores()
    for origin in origins:
        if origin not in known:
            known[origin] = forecast_origin(db, history, origin, seed)
        score_forecast(known[origin], actuals, scores)
    return Calibration(
        demand=scores.demand.scale(),
        weekly=scores.weekly.scale(),
        monthly=scores.monthly.scale(),
        origins=len(origins),
        weeks=(monday_of(as_of) - origins[-1]).days // 7,
    )


def calibrated_demand(
    forecast: demand_engine.DemandForecast, scale: BandScale
) -> demand_engine.DemandForecast:
    rows = tuple(
        replace(row, days=widen(row.days, scale), hours=widen(row.hours, scale))
        for row in forecast.rows
    )
    return replace(forecast, rows=rows)


def calibrated_revenue(
    forecast: revenue_engine.RevenueForecast, calibration: Calibration
) -> revenue_engine.RevenueForecast:
    return replace(
        forecast,
        weeks=_widened(forecast.weeks, calibration.weekly),
        months=_widened(forecast.months, calibration.monthly),
    )


def _widened(
    periods: Sequence[revenue_engine.RevenuePeriod], scale: BandScale
) -> tuple[revenue_engine.RevenuePeriod, ...]:
    return tuple(replace(period, band=widen(period.band, scale)) for period in periods)


def calibrated(forecast: OriginForecast, calibration: Calibration) -> OriginForecast:
    return replace(
        forecast,
        demand=calibrated_demand(forecast.demand, calibration.demand),
        revenue=calibrated_revenue(forecast.revenue, calibration),
    )
