"""The completion engine on hand-built observations: censoring counted and used, sampling
conditioned on the time already spent, ordered bands, every open stage predicted."""

from __future__ import annotations

import random
from datetime import date, timedelta

import numpy as np
import pytest

from roofops.engines.forecast.completion import (
    CompletionModel,
    Covariates,
    ModelName,
    OpenJob,
    Stage,
    StageObservation,
    fit_completion_model,
    predict,
    sample_remaining,
)

AS_OF = date(2025, 6, 1)
STAGE_DAYS: dict[Stage, tuple[float, float]] = {  # (mean, spread) of a log-normal
    "sales": (2.5, 0.4),
    "wait": (3.0, 0.4),
    "build": (0.7, 0.3),
    "visit": (1.4, 0.3),
}


def covariates(job_type: str = "reroof", backlog: float = 2.0, month: int = 6) -> Covariates:
    return Covariates(
        job_type=job_type,
        material="other" if job_type == "inspection" else "asphalt_shingle",
        squares=None if job_type == "inspection" else 25.0,
        insured=False,
        month=month,
        backlog_per_crew=backlog,
        backlog_days_per_crew=backlog * 1.5,
        crew_capacity=25.0,
    )


def observations(count: int = 120, *, open_share: float = 0.0) -> list[StageObservation]:
    """``count`` jobs per stage; a share of them still running (censored at a fair time)."""
    rng = random.Random(5)
    rows = []
    for stage, (mu, sigma) in STAGE_DAYS.items():
        job_type = "inspection" if stage == "visit" else rng.choice(("reroof", "repair"))
        for n in range(count):
            duration = rng.lognormvariate(mu, sigma)
            running = rng.random() < open_share
            seen = duration * rng.uniform(0.3, 1.0) if running else duration
            rows.append(
                StageObservation(
                    key=(stage, n),
                    stage=stage,
                    duration_days=seen,
                    finished=not running,
                    covariates=covariates(job_type, backlog=rng.uniform(0, 4)),
                )
            )
    return rows


@pytest.fixture(scope="module")
def model() -> CompletionModel:
    return fit_completion_model(observations(open_share=0.2), as_of=AS_OF, seed=1)


def test_censored_observations_are_counted_not_dropped(model: CompletionModel) -> None:
    rows = observations(open_share=0.2)
    assert model.observations == len(rows)
    assert model.censored == sum(not row.finished for row in rows)
    assert 0 < model.censored < model.observations


def test_dropping_the_open_jobs_would_make_the_wait_look_shorter() -> None:
    """Survivorship: the open jobs are the slow ones, and only censoring keeps them in."""
    rows = observations(300, open_share=0.35)
    censored = fit_completion_model(rows, as_of=AS_OF, seed=1, models={"wait": "km"})
    finished_only = [row for row in rows if row.finished]
    dropped = fit_completion_model(finished_only, as_of=AS_OF, seed=1, models={"wait": "km"})
    fresh = [OpenJob("new", "wait", 0.0, covariates())]

    def median_wait(fitted: CompletionModel) -> float:
        [prediction] = predict(fitted, fresh, as_of=AS_OF, samples=2000, seed=3)
        assert prediction.start_samples is not None
        return float(np.median(prediction.start_samples))

    assert median_wait(dropped) < median_wait(censored) - 1.0


def test_sampling_is_conditioned_on_the_time_already_spent() -> None:
    grid = np.arange(0.0, 100.25, 0.25)
    curve = np.exp(-grid / 10.0)  # exponential, mean 10 days
    rng = np.random.default_rng(0)
    fresh, spent = sample_remaining(
        np.vstack([curve, curve]), grid, np.array([0.0, 30.0]), 4000, rng
    )
    assert (fresh >= 0).all()
    assert (spent >= 0).all()
    # T | T > 30 for a memoryless wait: 30 days spent, about 10 more to come.
    assert np.median(fresh) == pytest.approx(10 * np.log(2), abs=0.8)
    assert np.median(spent) == pytest.approx(10 * np.log(2), abs=0.8)


def test_a_job_waiting_long_is_predicted_later_than_a_fresh_one(model: CompletionModel) -> None:
    jobs = [OpenJob("fresh", "wait", 0.0, covariates()), OpenJob("old", "wait", 40.0, covariates())]
    fresh, old = predict(model, jobs, as_of=AS_OF, seed=2)
    # The old one has already waited 40 days: its start is still ahead, never in the past.
    assert old.start is not None
    assert old.start.p10 >= AS_OF
    assert (old.finish_samples >= 0).all()
    assert fresh.finish.p50 < AS_OF + timedelta(days=60)


@pytest.mark.parametrize(
    ("stage", "job_type", "path"),
    [
        ("sales", "reroof", "sales -> wait -> build"),
        ("wait", "reroof", "wait -> build"),
        ("build", "reroof", "build"),
        ("visit", "inspection", "visit"),
        ("sales", "inspection", "sales -> visit"),
    ],
)
def test_every_open_stage_gets_ordered_bands(
    model: CompletionModel, stage: Stage, job_type: str, path: str
) -> None:
    [prediction] = predict(model, [OpenJob("job", stage, 3.0, covariates(job_type))], as_of=AS_OF)
    finish = prediction.finish
    assert AS_OF <= finish.p10 <= finish.p50 <= finish.p90
    assert prediction.basis["stages_ahead"] == path
    if stage == "build":
        assert prediction.start is None  # in production: the start is a fact
    else:
        assert prediction.start is not None
        assert prediction.start.p10 <= prediction.start.p50 <= prediction.start.p90
        assert prediction.start.p50 <= finish.p50
    assert len(prediction.finish_samples) == 400


@pytest.mark.parametrize("family", ["weibull_aft", "lognormal_aft", "loglogistic_aft", "cox", "km"])
def test_each_model_family_fits_and_predicts(family: ModelName) -> None:
    fitted = fit_completion_model(
        observations(60, open_share=0.2), as_of=AS_OF, seed=1, models={"wait": family}
    )
    [prediction] = predict(fitted, [OpenJob("job", "wait", 5.0, covariates())], as_of=AS_OF)
    assert fitted.stages["wait"].model == family
    assert prediction.finish.p10 <= prediction.finish.p90


def test_same_seed_same_dates(model: CompletionModel) -> None:
    jobs = [OpenJob(n, "wait", float(n), covariates(backlog=n / 5)) for n in range(10)]
    first = predict(model, jobs, as_of=AS_OF, seed=9)
    again = predict(model, jobs, as_of=AS_OF, seed=9)
    assert [p.finish for p in first] == [p.finish for p in again]
    assert all(
        np.array_equal(a.finish_samples, b.finish_samples)
        for a, b in zip(first, again, strict=True)
    )


def test_a_stage_short_of_data_falls_back_to_kaplan_meier() -> None:
    rows = [row for row in observations(20) if row.stage == "visit"]
    fitted = fit_completion_model(rows, as_of=AS_OF, seed=1)
    assert fitted.stages["visit"].model == "km"
    assert set(fitted.stages) == {"visit"}
    # A job whose path needs a stage the model has never seen is not predicted.
    assert predict(fitted, [OpenJob("job", "wait", 1.0, covariates())], as_of=AS_OF) == []
