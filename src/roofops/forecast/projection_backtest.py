"""Rolling-origin backtest of the projections: at each origin (a Monday), forecast from what was
known that morning, then score the weeks and months the later history has fully seen.

* demand: weekly crew-days per skill against the crew-days production really took (working
  days from ``in_production`` to ``completed``);
* revenue: weekly and monthly invoiced revenue against the invoices (by issue date);
* win probability: the open leads and estimates of each origin against how they ended.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
from sqlalchemy.orm import Session

from roofops.engines.forecast.projection_sim import Band, monday_of
from roofops.engines.forecast.winprob import brier_score, calibration_error
from roofops.forecast.completion import forecast_completions
from roofops.forecast.projection_inputs import History, Money, load_history, plan_days_at
from roofops.forecast.projection_model import (
    SAMPLES,
    ProjectionWorld,
    outcome,
    produced,
    world_at,
)
from roofops.forecast.results import JsonScalar, ModelMetrics

DEFAULT_ORIGINS = 6
ORIGIN_SPACING = timedelta(days=28)
# The last origin leaves a quarter for the later history to show the 12 weeks it forecast.
FOLLOW_UP = timedelta(weeks=13)


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


def default_origins(history: History, count: int = DEFAULT_ORIGINS) -> list[date]:
    last = monday_of(history.last_day - FOLLOW_UP)
    return [last - ORIGIN_SPACING * n for n in reversed(range(count))]


def run_backtest(
    db: Session,
    *,
    origins: Sequence[date] | None = None,
    seed: int = 0,
) -> tuple[ModelMetrics, ...]:
    history = load_history(db)
    chosen = [monday_of(origin) for origin in origins] if origins else default_origins(history)
    demand, weekly, monthly = BandScores(), BandScores(), BandScores()
    predicted: list[float] = []
    won: list[float] = []
    crew_days = actual_crew_days(history)
    for origin in chosen:
        finishes = forecast_completions(db, origin, seed=seed).finish_samples
        world = world_at(history, origin, finishes, plan_days_at(db, origin, history))
        _score_demand(world, crew_days, demand, seed)
        _score_revenue(world, weekly, monthly, seed)
        for job_id, probability in world.win_probabilities.items():
            result = outcome(history.by_id[job_id], None)
            if result is not None:
                predicted.append(probability)
                won.append(float(result))
    detail: dict[str, JsonScalar] = {
        "origins": ",".join(o.isoformat() for o in chosen),
        "samples": SAMPLES,
    }
    return (
        ModelMetrics("demand", demand.metrics(), detail),
        ModelMetrics("revenue", weekly.metrics() | monthly.metrics("month_"), detail),
        ModelMetrics("win_probability", _win_metrics(np.array(predicted), np.array(won)), detail),
    )


def actual_crew_days(history: History) -> dict[tuple[str, date], float]:
    """Crew-days production took, per skill and week (Monday)."""
    totals: dict[tuple[str, date], float] = defaultdict(float)
    for row in produced(history):
        for day in row.days:
            totals[(row.skill, monday_of(day))] += 1
    return totals


def _seen(history: History, end: date) -> bool:
    """The later history covers the whole period (it ends before the last day recorded)."""
    return end <= history.last_day


def _score_demand(
    world: ProjectionWorld,
    crew_days: dict[tuple[str, date], float],
    scores: BandScores,
    seed: int,
) -> None:
    for row in world.demand(seed=seed).rows:
        if _seen(world.history, row.week_start + timedelta(days=6)):
            scores.add(crew_days.get((row.skill, row.week_start), 0.0), row.days)


def _score_revenue(
    world: ProjectionWorld, weekly: BandScores, monthly: BandScores, seed: int
) -> None:
    forecast = world.revenue(seed=seed)
    money = world.history.money
    for period in forecast.weeks:
        end = period.start + timedelta(days=7)
        if _seen(world.history, end - timedelta(days=1)):
            weekly.add(_between(money, max(period.start, world.as_of), end), period.band)
    for period in forecast.months:
        end = (period.start + timedelta(days=32)).replace(day=1)
        if _seen(world.history, end - timedelta(days=1)):
            monthly.add(_between(money, max(period.start, world.as_of), end), period.band)


def _between(money: Sequence[Money], start: date, end: date) -> float:
    return float(sum(m.cents for m in money if start <= m.day < end))


def _win_metrics(predicted: np.ndarray, won: np.ndarray) -> dict[str, float]:
    if not predicted.size:
        return {}
    base = np.full(predicted.size, won.mean())
    return {
        "brier": brier_score(predicted, won),
        "calibration_error": calibration_error(predicted, won),
        "base_rate_brier": brier_score(base, won),
        "mean_predicted": float(predicted.mean()),
        "observed_rate": float(won.mean()),
        "examples": float(predicted.size),
    }
