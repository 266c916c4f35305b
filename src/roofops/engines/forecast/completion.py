"""When open jobs will start and finish: survival models per stage, combined by simulation.

A job's road to completion is a chain of stages, each a duration in calendar days:

- ``sales``: lead to contract signed, for jobs still being sold (conditional on winning: the
  lost ones are left out, the open ones are censored);
- ``wait``: contract signed to production start (materials, the crew calendar's queue);
- ``build``: production start to completion;
- ``visit``: contract signed to completed, for inspections (no crew, no production stage).

Each stage gets a survival model fitted on *censored* observations: a job still waiting at the
as-of date says "longer than this", and dropping it would teach the model that everything is
quick (survivorship bias). An open job's remaining time in its current stage is drawn from the
model conditioned on the time already spent (T | T > elapsed); the later stages are drawn
unconditioned and added up. Quantiles of the simulated sums are the date bands.

Calendar days, not working days: homeowners read dates, and weekends, holidays and weather are
already inside the durations the models learn from.
"""

from __future__ import annotations

import math
import warnings
from collections import Counter
from collections.abc import Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from roofops.engines.forecast.recalibration import Recalibration

if TYPE_CHECKING:
    import pandas as pd

Stage = Literal["sales", "wait", "build", "visit"]
ModelName = Literal["weibull_aft", "lognormal_aft", "loglogistic_aft", "cox", "km"]
STAGES: tuple[Stage, ...] = ("sales", "wait", "build", "visit")
# What each current stage still has ahead of it, in order (the first is the one it is in).
PATHS: Mapping[Stage, tuple[Stage, ...]] = {
    "sales": ("sales", "wait", "build"),
    "wait": ("wait", "build"),
    "build": ("build",),
    "visit": ("visit",),
}
INSPECTION_PATH: tuple[Stage, ...] = ("sales", "visit")
# Chosen by the rolling-origin backtest on two demo companies (docs/forecasting-completion.md):
# Cox's free baseline calibrates the queue-driven wait best; log-normal fits the rest.
DEFAULT_MODELS: Mapping[Stage, ModelName] = {
    "sales": "lognormal_aft",
    "wait": "cox",
    "build": "lognormal_aft",
    "visit": "km",
}
# A stage with fewer finished observations than this gets a Kaplan-Meier curve, no covariates.
MIN_EVENTS_FOR_COVARIATES = 30
MIN_LEVEL_EVENTS = 20
GRID_STEP_DAYS = 0.25
MIN_DURATION_DAYS = 0.01  # lifelines needs positive durations; a same-minute move is ~0
PENALIZER = 0.01
QUANTILES = (0.1, 0.5, 0.9)


@dataclass(frozen=True)
class Covariates:
    """What a stage's duration may depend on, as known when the stage began (or at as-of)."""

    job_type: str
    material: str
    squares: float | None
    insured: bool
    month: int  # 1-12: the season
    backlog_per_crew: float  # signed-not-started jobs per crew with the job's skill
    backlog_days_per_crew: float  # the same work in crew-days
    crew_capacity: float | None  # mean squares/day of the crews with the job's skill


@dataclass(frozen=True)
class StageObservation:
    """One job's time in one stage: finished (an event) or still running (censored)."""

    key: Hashable
    stage: Stage
    duration_days: float
    finished: bool
    covariates: Covariates
    weight: float = 1.0  # the domain weighs recent stages more: the business changes


@dataclass(frozen=True)
class OpenJob:
    """A job to predict: the stage it is in and the days spent there.

    ``covariates`` are as they were when the job entered its current stage (what the model
    was fitted on); ``ahead`` as they are now, for the stages it has not entered yet (the
    same when None).
    """

    key: Hashable
    stage: Stage
    elapsed_days: float
    covariates: Covariates
    ahead: Covariates | None = None

    def covariates_for(self, stage: Stage) -> Covariates:
        if stage == self.stage or self.ahead is None:
            return self.covariates
        return self.ahead

    @property
    def path(self) -> tuple[Stage, ...]:
        if self.covariates.job_type == "inspection" and self.stage == "sales":
            return INSPECTION_PATH
        return PATHS[self.stage]


@dataclass(frozen=True)
class DateRange:
    """10th, 50th and 90th percentile dates (the engine's own DateBand: engines import no
    roofops domain type; the forecast domain converts)."""

    p10: date
    p50: date
    p90: date


@dataclass(frozen=True)
class StageFit:
    """One stage's fitted model and the facts a page can quote about it."""

    stage: Stage
    model: ModelName
    observations: int
    events: int
    fitted: Any  # the lifelines fitter
    columns: tuple[str, ...]
    center: Mapping[str, float]
    scale: Mapping[str, float]
    horizon_days: float  # the survival grid's end: the longest duration seen, with room
    by_job_type: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class CompletionModel:
    as_of: date
    seed: int
    stages: Mapping[Stage, StageFit]

    @property
    def observations(self) -> int:
        return sum(fit.observations for fit in self.stages.values())

    @property
    def censored(self) -> int:
        return sum(fit.observations - fit.events for fit in self.stages.values())


@dataclass(frozen=True)
class CompletionPrediction:
    """One job's simulated start and finish; samples are day offsets from as-of."""

    key: Hashable
    start: DateRange | None
    finish: DateRange
    finish_samples: np.ndarray
    start_samples: np.ndarray | None
    basis: Mapping[str, str | int | float | bool | None]


def fit_completion_model(
    observations: Sequence[StageObservation],
    *,
    as_of: date,
    seed: int,
    models: Mapping[Stage, ModelName] = DEFAULT_MODELS,
) -> CompletionModel:
    """Fit one survival model per stage on its censored observations.

    Parameters
    ----------
    observations
        Every job's time in every stage it entered before ``as_of``; open ones unfinished.
    as_of
        The date the observations were known at (stored on the model, used by ``predict``).
    seed
        Kept with the model; the fit itself is deterministic.
    models
        The model family per stage; a stage short of data falls back to Kaplan-Meier.
    """
    by_stage: dict[Stage, list[StageObservation]] = {stage: [] for stage in STAGES}
    for observation in observations:
        by_stage[observation.stage].append(observation)
    fits = {
        stage: _fit_stage(stage, rows, models.get(stage, "km"))
        for stage, rows in by_stage.items()
        if any(row.finished for row in rows)
    }
    return CompletionModel(as_of=as_of, seed=seed, stages=fits)


def predict(
    model: CompletionModel,
    open_jobs: Sequence[OpenJob],
    *,
    as_of: date,
    samples: int = 400,
    seed: int = 0,
) -> list[CompletionPrediction]:
    """Simulate each open job's remaining stages; quantiles of the sums are its date bands.

    Parameters
    ----------
    model
        From :func:`fit_completion_model`.
    open_jobs
        The jobs to predict, each in a stage the model has (others are skipped).
    as_of
        Day zero of the offsets.
    samples
        Simulated paths per job.
    seed
        The simulation's random seed: the same seed gives the same dates.
    """
    rng = np.random.default_rng(seed)
    known = [job for job in open_jobs if all(stage in model.stages for stage in job.path)]
    draws = _draw_all(model, known, samples, rng)
    return [_prediction(model, job, draws[index], as_of) for index, job in enumerate(known)]


def _draw_all(
    model: CompletionModel, jobs: Sequence[OpenJob], samples: int, rng: np.random.Generator
) -> list[dict[Stage, np.ndarray]]:
    """Per job, per stage on its path: the days that stage still takes, ``samples`` each."""
    draws: list[dict[Stage, np.ndarray]] = [{} for _ in jobs]
    for stage, fit in model.stages.items():
        members = [index for index, job in enumerate(jobs) if stage in job.path]
        if not members:
            continue
        elapsed = np.array(
            [jobs[i].elapsed_days if jobs[i].stage == stage else 0.0 for i in members]
        )
        curves = survival_curves(fit, [jobs[i].covariates_for(stage) for i in members])
        remaining = sample_remaining(curves, _grid(fit), elapsed, samples, rng)
        for row, index in enumerate(members):
            draws[index][stage] = remaining[row]
    return draws


def _prediction(
    model: CompletionModel, job: OpenJob, draws: Mapping[Stage, np.ndarray], as_of: date
) -> CompletionPrediction:
    finish = sum((draws[stage] for stage in job.path), start=np.zeros_like(draws[job.path[0]]))
    start = None  # in production: the start is a fact, not a forecast
    if job.stage != "build" and "build" in job.path:
        start = sum(
            (draws[s] for s in job.path if s in ("sales", "wait")), start=np.zeros_like(finish)
        )
    elif "visit" in job.path:
        start = finish  # an inspection starts and finishes on the visit
    current = model.stages[job.stage]
    return CompletionPrediction(
        key=job.key,
        start=None if start is None else date_range(start, as_of),
        finish=date_range(finish, as_of),
        finish_samples=finish,
        start_samples=start,
        basis={
            "model": current.model,
            "similar_jobs": current.by_job_type.get(job.covariates.job_type, 0),
            "stage_observations": current.observations,
            "stages_ahead": " -> ".join(job.path),
        },
    )


def recalibrated(
    prediction: CompletionPrediction, calibration: Recalibration, as_of: date
) -> CompletionPrediction:
    """The prediction with its samples (and so its windows) read at the recalibrated levels.

    The start is mapped with the finish's levels: only finishes are scored, but a start left
    raw could fall after a recalibrated finish.
    """
    finish = calibration.apply(prediction.finish_samples)
    start = (
        None if prediction.start_samples is None else calibration.apply(prediction.start_samples)
    )
    return replace(
        prediction,
        start=None if prediction.start is None or start is None else date_range(start, as_of),
        finish=date_range(finish, as_of),
        finish_samples=finish,
        start_samples=start,
        basis={**prediction.basis, "calibration": calibration_note(calibration)},
    )


def calibration_note(calibration: Recalibration) -> str:
    """What the windows' levels rest on, for the basis."""
    jobs = len(calibration.pits)
    if calibration.active:
        return f"calibrated on {jobs} recent jobs"
    return f"not calibrated: {jobs} recent jobs, needs {calibration.min_points}"


def date_range(offsets: np.ndarray, as_of: date) -> DateRange:
    """The 10/50/90 % quantiles of day offsets as dates (a day's fraction rounds down)."""
    p10, p50, p90 = (as_of + timedelta(days=math.floor(q)) for q in np.quantile(offsets, QUANTILES))
    return DateRange(p10, p50, p90)


def sample_remaining(
    curves: np.ndarray,
    grid: np.ndarray,
    elapsed: np.ndarray,
    samples: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Draw T - elapsed from S(t | T > elapsed) by inverting each job's survival curve.

    ``curves`` is jobs x grid (non-increasing); a draw beyond the grid's end lands on it.
    Returns jobs x samples of remaining days (never negative).
    """
    out = np.empty((len(elapsed), samples))
    for row, (curve, spent) in enumerate(zip(curves, elapsed, strict=True)):
        survived = _survival_at(curve, grid, spent)
        targets = rng.random(samples) * survived
        # First grid time whose survival falls to the target: the inverse of S on the grid.
        index = np.searchsorted(-curve, -targets, side="left")
        times = grid[np.minimum(index, len(grid) - 1)]
        out[row] = np.maximum(times, spent) - spent
    return out


def _survival_at(curve: np.ndarray, grid: np.ndarray, t: float) -> float:
    survived = float(np.interp(t, grid, curve))
    return max(survived, 1e-9)


def _grid(fit: StageFit) -> np.ndarray:
    return np.arange(0.0, fit.horizon_days + GRID_STEP_DAYS, GRID_STEP_DAYS)


def survival_curves(fit: StageFit, covariates: Sequence[Covariates]) -> np.ndarray:
    """S(t | x) on the stage's grid for each covariate row: jobs x grid, non-increasing."""
    grid = _grid(fit)
    if fit.model == "km":
        curve = np.asarray(fit.fitted.survival_function_at_times(grid), dtype=float)
        return np.tile(curve, (len(covariates), 1))
    frame = _design(covariates, fit.columns, fit.center, fit.scale)
    curves = np.asarray(fit.fitted.predict_survival_function(frame, times=grid), dtype=float).T
    # Cox's baseline is flat past its last event; keep every curve monotone and in [0, 1].
    return np.minimum.accumulate(np.clip(curves, 0.0, 1.0), axis=1)


def _fit_stage(stage: Stage, rows: Sequence[StageObservation], model: ModelName) -> StageFit:
    events = sum(row.finished for row in rows)
    chosen: ModelName = model if events >= MIN_EVENTS_FOR_COVARIATES else "km"
    durations = np.array([max(row.duration_days, MIN_DURATION_DAYS) for row in rows])
    finished = np.array([row.finished for row in rows], dtype=bool)
    longest = float(durations[finished].max())
    columns: tuple[str, ...] = ()
    center: dict[str, float] = {}
    scale: dict[str, float] = {}
    weights = np.array([row.weight for row in rows])
    if chosen == "km":
        fitted = _km(durations, finished, weights)
    else:
        columns, center, scale = _columns(rows)
        frame = _design([row.covariates for row in rows], columns, center, scale)
        frame["duration"] = durations
        frame["finished"] = finished
        frame["weight"] = weights
        fitted = _fit_weighted(_fitter(chosen), frame)
    return StageFit(
        stage=stage,
        model=chosen,
        observations=len(rows),
        events=events,
        fitted=fitted,
        columns=columns,
        center=center,
        scale=scale,
        horizon_days=max(30.0, 1.5 * longest),
        by_job_type=dict(Counter(row.covariates.job_type for row in rows)),
    )


def _fit_weighted(fitter: Any, frame: pd.DataFrame) -> Any:
    with _weights_are_not_counts():
        return fitter.fit(
            frame, duration_col="duration", event_col="finished", weights_col="weight"
        )


def _km(durations: np.ndarray, finished: np.ndarray, weights: np.ndarray) -> Any:
    from lifelines import KaplanMeierFitter

    with _weights_are_not_counts():
        return KaplanMeierFitter().fit(durations, event_observed=finished, weights=weights)


@contextmanager
def _weights_are_not_counts() -> Iterator[None]:
    """Recency weights are not integers, so lifelines warns that the standard errors are off;
    only the survival curves are used here, never those errors."""
    from lifelines.exceptions import StatisticalWarning

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=StatisticalWarning)
        yield


def _fitter(model: ModelName) -> Any:
    from lifelines import (
        CoxPHFitter,
        LogLogisticAFTFitter,
        LogNormalAFTFitter,
        WeibullAFTFitter,
    )

    fitters = {
        "weibull_aft": WeibullAFTFitter,
        "lognormal_aft": LogNormalAFTFitter,
        "loglogistic_aft": LogLogisticAFTFitter,
        "cox": CoxPHFitter,
    }
    return fitters[model](penalizer=PENALIZER)


def _features(covariates: Covariates) -> dict[str, float]:
    """Numbers a model can weigh: one-hots, the season as a circle, the work in crew-days."""
    crew_days = 0.0
    if covariates.squares and covariates.crew_capacity:
        crew_days = covariates.squares / covariates.crew_capacity
    angle = 2 * math.pi * (covariates.month - 1) / 12
    return {
        f"type_{covariates.job_type}": 1.0,
        f"material_{covariates.material}": 1.0,
        "insured": float(covariates.insured),
        "season_sin": math.sin(angle),
        "season_cos": math.cos(angle),
        "log_crew_days": math.log1p(crew_days),
        "backlog_per_crew": covariates.backlog_per_crew,
        "backlog_days_per_crew": covariates.backlog_days_per_crew,
    }


def _columns(
    rows: Sequence[StageObservation],
) -> tuple[tuple[str, ...], dict[str, float], dict[str, float]]:
    """The feature columns that vary in the training rows, with their centre and scale.

    One-hot levels drop the most common one (the reference) and the rare ones (fewer than
    ``MIN_LEVEL_EVENTS`` finished rows: they join the reference rather than let one odd job
    decide a coefficient); constant columns are left out (they would make the fit singular).
    """
    values: dict[str, list[float]] = {}
    table = [_features(row.covariates) for row in rows]
    names = sorted({name for features in table for name in features})
    for name in names:
        values[name] = [features.get(name, 0.0) for features in table]
    finished = np.array([row.finished for row in rows], dtype=float)
    for prefix in ("type_", "material_"):
        levels = [name for name in names if name.startswith(prefix)]
        if levels:
            values.pop(max(levels, key=lambda name: sum(values[name])))
        for name in levels:
            if name in values and float(np.dot(values[name], finished)) < MIN_LEVEL_EVENTS:
                values.pop(name)
    columns = tuple(name for name, column in values.items() if np.std(column) > 1e-9)
    center = {name: float(np.mean(values[name])) for name in columns}
    scale = {name: float(np.std(values[name])) for name in columns}
    return columns, center, scale


def _design(
    covariates: Sequence[Covariates],
    columns: Sequence[str],
    center: Mapping[str, float],
    scale: Mapping[str, float],
) -> pd.DataFrame:
    import pandas as pd

    table = [_features(row) for row in covariates]
    data = {
        name: [(features.get(name, 0.0) - center[name]) / scale[name] for features in table]
        for name in columns
    }
    return pd.DataFrame(data, columns=list(columns), dtype=float)
