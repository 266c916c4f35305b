"""Quantile recalibration on simulated outcomes: levels mapped monotonically, the identity when
the recent past is too thin, and a too-wide model's windows brought back to their nominal
coverage on outcomes it has not seen."""

from __future__ import annotations

import math

import numpy as np

from roofops.engines.forecast.recalibration import Pit, day_pit, recalibration

NOMINAL = (0.025, 0.1, 0.5, 0.9, 0.975)


def pits_of_a_wide_model(jobs: int, seed: int = 3) -> list[Pit]:
    """A model predicting 30 +- 12 days for jobs that really take 30 +- 5."""
    rng = np.random.default_rng(seed)
    samples = rng.normal(30, 12, 400)
    outcomes = rng.normal(30, 5, jobs)
    return [day_pit(samples, math.floor(day), finished=True) for day in outcomes]


def test_levels_are_mapped_monotonically_and_narrow_a_wide_model() -> None:
    levels = recalibration(pits_of_a_wide_model(300)).levels(NOMINAL)

    assert np.all(np.diff(levels) >= 0)
    assert levels[2] == 0.5  # the median is left where the model puts it
    # A window too wide is read further in.
    assert levels[1] > 0.2
    assert levels[3] < 0.8


def test_too_few_recent_jobs_leave_the_levels_alone() -> None:
    calibration = recalibration(pits_of_a_wide_model(20), min_points=60)
    samples = np.arange(100.0)

    assert not calibration.active
    assert np.array_equal(calibration.levels(NOMINAL), NOMINAL)
    assert calibration.apply(samples) is samples


def test_recalibrated_windows_cover_new_outcomes_at_their_nominal_rate() -> None:
    rng = np.random.default_rng(11)
    samples = rng.normal(30, 12, 400)
    new_outcomes = np.floor(rng.normal(30, 5, 2000))
    calibrated = recalibration(pits_of_a_wide_model(400)).apply(samples)

    def covers(draws: np.ndarray) -> float:
        low, high = np.floor(np.quantile(draws, (0.1, 0.9)))
        return float(np.mean((low <= new_outcomes) & (new_outcomes <= high)))

    assert covers(samples) > 0.95  # the raw windows are far too wide
    assert 0.75 <= covers(calibrated) <= 0.85


def test_a_pit_covers_its_day_and_a_job_still_open_reaches_one() -> None:
    samples = np.array([1.2, 2.5, 2.7, 3.1, 5.0])

    assert day_pit(samples, 2, finished=True) == Pit(below=0.2, upper=0.6)
    assert day_pit(samples, 2, finished=False) == Pit(below=0.2, upper=1.0)
