"""Rolling-origin backtest of the projections: at each origin (a Monday), forecast from what was
known that morning, then score the weeks and months the later history has fully seen.

* demand: weekly crew-days per skill against the crew-days production really took (working
  days from ``in_production`` to ``completed``);
* revenue: weekly and monthly invoiced revenue against the invoices (by issue date);
* win probability: the open leads and estimates of each origin against how they ended.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import numpy as np
from sqlalchemy.orm import Session

from roofops.engines.forecast.projection_sim import monday_of
from roofops.engines.forecast.winprob import brier_score, calibration_error
from roofops.forecast.projection_calibration import (
    FOLLOW_UP,
    Calibration,
    OriginForecast,
    Scores,
    actuals_at,
    calibrate,
    calibrated,
    forecast_origin,
    score_forecast,
)
from roofops.forecast.projection_inputs import History, load_history
from roofops.forecast.projection_model import SAMPLES, outcome
from roofops.forecast.results import JsonScalar, ModelMetrics

DEFAULT_ORIGINS = 6
ORIGIN_SPACING = timedelta(days=28)


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
    scores = Scores()
    predicted: list[float] = []
    won: list[float] = []
    actuals = actuals_at(history, history.last_day + timedelta(days=1))
    # Inner origins of neighbouring origins coincide: each is forecast once.
    inner: dict[date, OriginForecast] = {}
    factors: list[Calibration] = []
    for origin in chosen:
        forecast = forecast_origin(db, history, origin, seed)
        factors.append(calibrate(db, history, origin, seed=seed, cache=inner))
        score_forecast(calibrated(forecast, factors[-1]), actuals, scores)
        for job_id, probability in forecast.world.win_probabilities.items():
            result = outcome(history.by_id[job_id], None)
            if result is not None:
                predicted.append(probability)
                won.append(float(result))
    detail: dict[str, JsonScalar] = {
        "origins": ",".join(o.isoformat() for o in chosen),
        "samples": SAMPLES,
    }
    return (
        ModelMetrics("demand", scores.demand.metrics() | _factors(factors, "demand"), detail),
        ModelMetrics(
            "revenue",
            scores.weekly.metrics()
            | scores.monthly.metrics("month_")
            | _factors(factors, "weekly")
            | _factors(factors, "monthly", "month_"),
            detail,
        ),
        ModelMetrics("win_probability", _win_metrics(np.array(predicted), np.array(won)), detail),
    )


def _factors(factors: Sequence[Calibration], series: str, prefix: str = "") -> dict[str, float]:
    """The mean calibration factors the origins used (1 = bands as simulated)."""
    scales = [getattr(calibration, series) for calibration in factors]
    return {
        f"{prefix}factor_80": float(np.mean([s.factor_80 for s in scales])),
        f"{prefix}factor_95": float(np.mean([s.factor_95 for s in scales])),
    }


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
