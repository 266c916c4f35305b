"""Completion windows for every open job, and the rolling-origin backtest that proves them.

``forecast_completions`` fits the completion engine on the stage history known at as-of and
simulates every open job (leads and estimates too: conditional on winning them).
``backtest_completions`` goes back to several origin dates, fits on what was known then,
predicts the jobs that were signed but not finished, and scores the predictions against what
the later history shows.
"""

from __future__ import annotations

import math
import statistics
import uuid
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

import numpy as np
from sqlalchemy.orm import Session

from roofops.engines.forecast.completion import (
    DEFAULT_MODELS,
    CompletionModel,
    CompletionPrediction,
    DateRange,
    ModelName,
    OpenJob,
    Stage,
    fit_completion_model,
    predict,
    recalibrated,
)
from roofops.engines.forecast.recalibration import Recalibration, day_pit, recalibration
from roofops.forecast.history import (
    History,
    JobState,
    as_of_moment,
    days_between,
    load_history,
    observations,
    open_jobs,
)
from roofops.forecast.results import DateBand, JobCompletionForecast, JsonScalar, ModelMetrics

MODEL_NAME = "completion"
SAMPLES = 400
SEASONS = {12: "winter", 1: "winter", 2: "winter", 3: "spring", 4: "spring", 5: "spring"}
SEASONS |= {6: "summer", 7: "summer", 8: "summer", 9: "autumn", 10: "autumn", 11: "autumn"}
# The backtest scores the committed backlog: jobs signed and not yet finished at the origin.
SCORED_STAGES = frozenset({"wait", "build", "visit"})
DEFAULT_ORIGINS = 12
ORIGIN_SPACING_DAYS = 28
# The last origin leaves this long for the later history to show how its jobs ended.
FOLLOW_UP_DAYS = 70
# Recalibration learns from the jobs held out at these many origins before as-of, the last one
# this long before it. Both on the backtest's four-week grid, so a backtest's origins share
# their fits with the calibration origins of the later ones.
CALIBRATION_ORIGINS = 6
CALIBRATION_FOLLOW_UP_DAYS = 2 * ORIGIN_SPACING_DAYS


@dataclass(frozen=True)
class CompletionResult:
    jobs: tuple[JobCompletionForecast, ...]
    finish_samples: Mapping[uuid.UUID, np.ndarray]
    metrics: ModelMetrics


def forecast_completions(
    db: Session, as_of: date, *, seed: int = 0, calibrated: bool = True
) -> CompletionResult:
    """Start and finish windows for every open job, from the history known at ``as_of``,
    recalibrated on how the recent past's windows fared (``calibrated=False``: the raw
    model's, six fits cheaper)."""
    history = load_history(db, as_of)
    cut = as_of_moment(as_of)
    model = fit_completion_model(observations(history, cut), as_of=as_of, seed=seed)
    calibration = (
        calibrate(OriginPredictions(history, seed), history, as_of)
        if calibrated
        else recalibration(())
    )
    jobs = open_jobs(history, cut)
    by_key = {state.facts.job_id: (state, job) for state, job in jobs}
    predictions = [
        recalibrated(prediction, calibration, as_of)
        for prediction in predict(
            model, [job for _, job in jobs], as_of=as_of, samples=SAMPLES, seed=seed
        )
    ]
    forecasts = tuple(_forecast(*by_key[_job_id(p)], p, cut) for p in predictions)
    return CompletionResult(
        jobs=forecasts,
        finish_samples={_job_id(p): p.finish_samples for p in predictions},
        metrics=_fit_metrics(model, calibration, len(jobs), len(predictions)),
    )


def _job_id(prediction: CompletionPrediction) -> uuid.UUID:
    assert isinstance(prediction.key, uuid.UUID)
    return prediction.key


def _band(dates: DateRange | None) -> DateBand | None:
    return None if dates is None else DateBand(dates.p10, dates.p50, dates.p90)


def _forecast(
    state: JobState, job: OpenJob, prediction: CompletionPrediction, cut: datetime
) -> JobCompletionForecast:
    finish = _band(prediction.finish)
    assert finish is not None
    return JobCompletionForecast(
        job_id=state.facts.job_id,
        stage=state.stage,
        days_in_stage=math.floor(days_between(state.stage_entered_at, cut)),
        start=None if job.stage == "build" else _band(prediction.start),
        finish=finish,
        basis=basis(state, job, prediction, cut),
    )


def basis(
    state: JobState, job: OpenJob, prediction: CompletionPrediction, cut: datetime
) -> dict[str, JsonScalar]:
    """What the window rests on, in a dispatcher's words."""
    covariates = job.covariates
    return {
        "stage": state.stage.value,
        "days_in_stage": math.floor(days_between(state.stage_entered_at, cut)),
        "job_type": covariates.job_type,
        "material": covariates.material,
        "squares": covariates.squares,
        "payer": "insurance" if covariates.insured else "retail",
        "season": SEASONS[covariates.month],
        "backlog_jobs_per_crew": round(covariates.backlog_per_crew, 1),
        "crew_capacity_squares_per_day": (
            None if covariates.crew_capacity is None else round(covariates.crew_capacity, 1)
        ),
        "conditional_on": "winning the job" if job.stage == "sales" else None,
        **prediction.basis,
    }


def _fit_metrics(
    model: CompletionModel, calibration: Recalibration, open_count: int, predicted: int
) -> ModelMetrics:
    observations_count = model.observations
    p10, p90 = calibration.levels((0.1, 0.9))
    return ModelMetrics(
        MODEL_NAME,
        {
            "observations": float(observations_count),
            "censored": float(model.censored),
            "censored_share": model.censored / observations_count if observations_count else 0.0,
            "open_jobs": float(open_count),
            "predicted_jobs": float(predicted),
            "calibration_jobs": float(len(calibration.pits)),
            "calibrated_level_p10": round(float(p10), 4),
            "calibrated_level_p90": round(float(p90), 4),
        },
        {f"model_{stage}": fit.model for stage, fit in model.stages.items()},
    )


# --- recalibration ----------------------------------------------------------------------------


@dataclass(frozen=True)
class HeldOut:
    """A committed job open at an origin, as known then, with the raw model's prediction."""

    state: JobState
    job: OpenJob
    prediction: CompletionPrediction


class OriginPredictions:
    """The raw model's predictions of the committed jobs open at each origin, each fitted on
    what ``history`` knew at that origin; computed once per origin and shared."""

    def __init__(
        self, history: History, seed: int, models: Mapping[Stage, ModelName] = DEFAULT_MODELS
    ) -> None:
        self.history, self.seed, self.models = history, seed, models
        self._cache: dict[date, list[HeldOut]] = {}

    def at(self, origin: date) -> list[HeldOut]:
        if origin not in self._cache:
            self._cache[origin] = self._predict(origin)
        return self._cache[origin]

    def _predict(self, origin: date) -> list[HeldOut]:
        cut = as_of_moment(origin)
        known = self.history.known_at(cut)
        model = fit_completion_model(
            observations(known, cut), as_of=origin, seed=self.seed, models=self.models
        )
        committed = {
            state.facts.job_id: (state, job)
            for state, job in open_jobs(known, cut)
            if job.stage in SCORED_STAGES
        }
        jobs = [job for _, job in committed.values()]
        return [
            HeldOut(*committed[_job_id(prediction)], prediction)
            for prediction in predict(model, jobs, as_of=origin, seed=self.seed)
        ]


def calibration_origins(as_of: date) -> list[date]:
    """The origins whose held-out jobs calibrate a forecast made at ``as_of``."""
    last = as_of - timedelta(days=CALIBRATION_FOLLOW_UP_DAYS)
    return [last - timedelta(days=ORIGIN_SPACING_DAYS * n) for n in range(CALIBRATION_ORIGINS)]


def calibrate(predictions: OriginPredictions, known: History, as_of: date) -> Recalibration:
    """The PITs of the jobs held out at the calibration origins, scored only with what
    ``known`` (the history as of ``as_of``) shows: open then counts as censored at as-of."""
    cut = as_of_moment(as_of)
    outcomes = {state.facts.job_id: state for state in known.states()}
    pits = []
    for origin in calibration_origins(as_of):
        for held in predictions.at(origin):
            later = outcomes[held.state.facts.job_id]
            if _cancelled(later):
                continue
            day = math.floor(days_between(as_of_moment(origin), later.done_at or cut))
            finish = held.prediction.finish_samples
            pits.append(day_pit(finish, day, finished=later.done_at is not None))
    return recalibration(pits)


def _cancelled(later: JobState) -> bool:
    """Closed without finishing: it never finishes, so there is nothing to score."""
    return later.done_at is None and later.closed_at is not None


# --- backtest ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scored:
    """One held-out job at one origin: the prediction and the outcome, in days from the origin."""

    p50: float
    p10: float
    p90: float
    p025: float
    p975: float
    baseline: float
    outcome: float  # completion, or the censoring time when not completed
    completed: bool
    stage: str
    origin: date


def default_origins(end: date, count: int = DEFAULT_ORIGINS) -> list[date]:
    """``count`` origins four weeks apart, the last one ``FOLLOW_UP_DAYS`` before ``end``."""
    last = end - timedelta(days=FOLLOW_UP_DAYS)
    return [last - timedelta(days=ORIGIN_SPACING_DAYS * n) for n in reversed(range(count))]


def history_end(history: History) -> date:
    """The day after the last recorded stage move: where the known history stops."""
    latest = max(move.recorded_at for moves in history.moves.values() for move in moves)
    return latest.date() + timedelta(days=1)


def backtest_completions(
    db: Session,
    *,
    origins: Sequence[date] | None = None,
    seed: int = 0,
    as_of: date | None = None,
) -> ModelMetrics:
    """Rolling origin: at each origin fit on what was known then, predict the jobs signed but
    not finished, and score them against the later history (still open: censored).

    ``as_of`` ends the later history there (a run for a past day must not score with what
    happened after it); None: all the history the database holds.
    """
    return run_backtest(load_history(db, as_of), origins=origins, seed=seed)


def run_backtest(
    full: History,
    *,
    origins: Sequence[date] | None = None,
    seed: int = 0,
    models: Mapping[Stage, ModelName] = DEFAULT_MODELS,
    calibrated: bool = True,
) -> ModelMetrics:
    """:func:`backtest_completions` on a loaded history, with a choice of model families and
    of recalibrating (each origin on its own past only, as a forecast made that day would)."""
    if not full.moves:
        return ModelMetrics(MODEL_NAME, {"jobs": 0.0, "censored": 0.0})
    end = history_end(full)
    chosen = list(origins) if origins is not None else default_origins(end)
    backtest = _Backtest(full, as_of_moment(end), OriginPredictions(full, seed, models), seed)
    scored = [row for origin in chosen for row in backtest.score(origin, calibrated=calibrated)]
    metrics = score_metrics(scored, chosen)
    per_origin = round(_mean(backtest.calibration_jobs), 1) if chosen else 0.0
    return replace(metrics, metrics={**metrics.metrics, "calibration_jobs_per_origin": per_origin})


class _Backtest:
    """The full history and its outcomes; scores one origin at a time."""

    def __init__(
        self, full: History, end: datetime, predictions: OriginPredictions, seed: int
    ) -> None:
        self.full, self.end, self.predictions, self.seed = full, end, predictions, seed
        self.outcomes = {state.facts.job_id: state for state in full.states()}
        self.calibration_jobs: list[float] = []

    def score(self, origin: date, *, calibrated: bool) -> list[Scored]:
        """Predict the committed jobs open at ``origin`` from what was known then, recalibrated
        on the origins before it (their outcomes as known at ``origin``), and score them."""
        cut = as_of_moment(origin)
        known = self.full.known_at(cut)
        calibration = (
            calibrate(self.predictions, known, origin) if calibrated else recalibration(())
        )
        self.calibration_jobs.append(float(len(calibration.pits)))
        medians = baseline_medians(known)
        return [
            self._scored(recalibrated(held.prediction, calibration, origin), held, medians, cut)
            for held in self.predictions.at(origin)
            if not _cancelled(self.outcomes[held.state.facts.job_id])
        ]

    def _scored(
        self,
        prediction: CompletionPrediction,
        held: HeldOut,
        medians: Mapping[tuple[str, str], float],
        cut: datetime,
    ) -> Scored:
        state, job = held.state, held.job
        p025, p10, p50, p90, p975 = np.quantile(
            prediction.finish_samples, (0.025, 0.1, 0.5, 0.9, 0.975)
        )
        median = medians.get((job.covariates.job_type, job.stage), medians.get(("", job.stage)))
        entered = days_between(cut, state.model_stage_entered_at)
        done = self.outcomes[state.facts.job_id].done_at
        return Scored(
            p50=float(p50),
            p10=float(p10),
            p90=float(p90),
            p025=float(p025),
            p975=float(p975),
            baseline=max(0.0, entered + (median or 0.0)),
            outcome=days_between(cut, done or self.end),
            completed=done is not None,
            stage=state.stage.value,
            origin=cut.date(),
        )


def baseline_medians(history: History) -> dict[tuple[str, str], float]:
    """The naive rule: per job type and stage, the median days from entering the stage to
    completion among the jobs the (already cut) history shows completed: what a spreadsheet
    would do."""
    durations: dict[tuple[str, str], list[float]] = defaultdict(list)
    for state in history.states():
        if state.done_at is None:
            continue
        job_type = state.facts.job_type.value
        for stage, entered in (
            ("wait", state.signed_at),
            ("visit", state.signed_at),
            ("build", state.started_at),
        ):
            if entered is not None:
                days = days_between(entered, state.done_at)
                durations[(job_type, stage)].append(days)
                durations[("", stage)].append(days)  # any type: for a type not seen yet
    return {key: statistics.median(values) for key, values in durations.items()}


def score_metrics(scored: Sequence[Scored], origins: Sequence[date]) -> ModelMetrics:
    """Errors in days on completed jobs (prediction and outcome as dates), coverage of the
    80 % and 95 % windows, and the C-index over all (censored included)."""
    from lifelines.utils import concordance_index

    done = [row for row in scored if row.completed]
    day = math.floor
    errors = [day(row.p50) - day(row.outcome) for row in done]
    baseline_errors = [day(row.baseline) - day(row.outcome) for row in done]
    metrics = {
        "jobs": float(len(scored)),
        "completed": float(len(done)),
        "censored": float(len(scored) - len(done)),
        "origins": float(len(origins)),
    }
    if done:
        metrics |= {
            "mae_days": _mean([abs(e) for e in errors]),
            "bias_days": _mean(errors),
            "median_abs_error_days": statistics.median(abs(e) for e in errors),
            "baseline_mae_days": _mean([abs(e) for e in baseline_errors]),
            "baseline_median_abs_error_days": statistics.median(abs(e) for e in baseline_errors),
            "coverage_80": _covered(done, lambda r: (r.p10, r.p90)),
            "coverage_95": _covered(done, lambda r: (r.p025, r.p975)),
        }
    if len(scored) > 1 and done:
        metrics["c_index"] = float(
            concordance_index(
                [row.outcome for row in scored],
                [row.p50 for row in scored],
                [row.completed for row in scored],
            )
        )
    detail: dict[str, JsonScalar] = {
        "first_origin": min(origins).isoformat() if origins else None,
        "last_origin": max(origins).isoformat() if origins else None,
        "scored": "jobs signed and not finished at each origin (cancelled ones left out)",
        "bias_sign": "positive: predicted later than the job finished",
    }
    return ModelMetrics(MODEL_NAME, {k: round(v, 4) for k, v in metrics.items()}, detail)


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def _covered(rows: Sequence[Scored], bounds: Callable[[Scored], tuple[float, float]]) -> float:
    hits = 0
    for row in rows:
        low, high = bounds(row)
        hits += math.floor(low) <= math.floor(row.outcome) <= math.floor(high)
    return hits / len(rows)
