"""forecast_completions and backtest_completions on a small demo company in the real database."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from roofops.demo.generator import generate
from roofops.demo.service import demo_service
from roofops.forecast.completion import (
    OriginPredictions,
    backtest_completions,
    calibrate,
    forecast_completions,
)
from roofops.forecast.history import as_of_moment, load_history
from roofops.job.lifecycle import PIPELINE
from roofops.models.enums import JobStage
from roofops.models.job import Job

AS_OF = date(2025, 6, 1)
OPEN = PIPELINE[: PIPELINE.index(JobStage.IN_PRODUCTION) + 1]
BACKTEST_KEYS = {
    "mae_days",
    "bias_days",
    "coverage_80",
    "coverage_95",
    "c_index",
    "baseline_mae_days",
    "median_abs_error_days",
    "baseline_median_abs_error_days",
    "jobs",
    "censored",
}


@pytest.fixture
def demo(db: Session) -> Session:
    demo_service.insert_rows(db, generate(0.1, 3, AS_OF))
    return db


def test_every_open_job_gets_a_window_and_what_it_rests_on(demo: Session) -> None:
    result = forecast_completions(demo, AS_OF, seed=1)

    open_ids = set(demo.scalars(sa.select(Job.id).where(Job.stage.in_(OPEN))))
    assert {job.job_id for job in result.jobs} == open_ids
    assert set(result.finish_samples) == open_ids
    stages = {job.stage for job in result.jobs}
    assert JobStage.IN_PRODUCTION in stages or JobStage.SCHEDULED in stages
    for job in result.jobs:
        assert AS_OF <= job.finish.p10 <= job.finish.p50 <= job.finish.p90
        if job.stage == JobStage.IN_PRODUCTION:
            assert job.start is None
        else:
            assert job.start is not None
            assert job.start.p50 <= job.finish.p50
        assert job.days_in_stage >= 0
        assert {"stage", "days_in_stage", "job_type", "season", "backlog_jobs_per_crew"} <= set(
            job.basis
        )
        assert job.basis["similar_jobs"]
        assert job.basis["model"]
    assert result.metrics.metrics["censored"] > 0
    assert result.metrics.metrics["open_jobs"] == len(open_ids)


def test_same_seed_same_windows(demo: Session) -> None:
    first = forecast_completions(demo, AS_OF, seed=4)
    again = forecast_completions(demo, AS_OF, seed=4)
    assert first.jobs == again.jobs


def test_the_backtest_scores_held_out_jobs(demo: Session) -> None:
    origins = [AS_OF - timedelta(days=days) for days in (150, 120)]
    metrics = backtest_completions(demo, origins=origins, seed=1)

    assert metrics.model == "completion"
    assert set(metrics.metrics) >= BACKTEST_KEYS
    assert metrics.metrics["jobs"] > 0
    assert all(math.isfinite(value) for value in metrics.metrics.values())
    assert 0 <= metrics.metrics["coverage_80"] <= metrics.metrics["coverage_95"] <= 1
    assert metrics.detail["first_origin"] == origins[0].isoformat()


def test_a_backtest_for_a_past_day_scores_only_with_what_was_known_then(demo: Session) -> None:
    origins = [AS_OF - timedelta(days=60)]
    everything = backtest_completions(demo, origins=origins, seed=1)
    then = backtest_completions(demo, origins=origins, seed=1, as_of=origins[0] + timedelta(days=2))

    assert then.metrics["jobs"] == everything.metrics["jobs"] > 0
    # Two days later most of the jobs open at the origin had not finished yet: censored.
    assert then.metrics["censored"] > everything.metrics["censored"]


def test_the_windows_say_what_they_are_calibrated_on(demo: Session) -> None:
    result = forecast_completions(demo, AS_OF, seed=1)

    calibration_jobs = result.metrics.metrics["calibration_jobs"]
    assert calibration_jobs > 0
    for job in result.jobs:
        note = str(job.basis["calibration"])
        assert note.startswith(("calibrated on", "not calibrated"))
        assert f" {calibration_jobs:g} recent jobs" in note


def test_calibration_uses_only_what_was_known_at_its_origin(demo: Session) -> None:
    """Nested: a backtest origin's recalibration is the one a forecast made that day would have
    made, though the backtest holds the later history too."""
    origin = AS_OF - timedelta(days=28)
    full = load_history(demo)
    known = full.known_at(as_of_moment(origin))

    nested = calibrate(OriginPredictions(full, seed=1), known, origin)
    that_day = calibrate(OriginPredictions(known, seed=1), known, origin)

    assert nested.pits == that_day.pits
    assert len(nested.pits) > 0
