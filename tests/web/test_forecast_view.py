"""What the forecast pages say about a window and a metric, in words and figures."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from roofops.forecast.results import DateBand, JobCompletionForecast
from roofops.models.enums import JobStage
from roofops.web.forecast_view import basis_facts, basis_sentence, metric_definition, metric_value

FINISH = DateBand(date(2027, 1, 10), date(2027, 1, 20), date(2027, 2, 1))


def _forecast(
    stage: JobStage, days: int, **basis: str | int | float | None
) -> JobCompletionForecast:
    return JobCompletionForecast(uuid.uuid4(), stage, days, None, FINISH, basis)


def test_a_lead_is_predicted_if_won_and_says_so() -> None:
    lead = _forecast(JobStage.ESTIMATE, 1, similar_jobs=88, conditional_on="winning the job")

    assert basis_sentence(lead) == (
        "Based on 88 similar jobs; in Estimate for 1 day (if winning the job)."
    )


def test_a_job_in_production_reads_naturally_and_absent_facts_are_left_out() -> None:
    building = _forecast(
        JobStage.IN_PRODUCTION, 3, crew_capacity_squares_per_day=None, season="summer"
    )

    assert basis_sentence(building) == "In production for 3 days; summer season."
    assert basis_facts(building) == [("Season", "Summer")]


def test_the_sentence_says_what_the_window_was_recalibrated_on() -> None:
    building = _forecast(
        JobStage.IN_PRODUCTION, 3, season="summer", calibration="calibrated on 201 recent jobs"
    )

    assert basis_sentence(building) == (
        "In production for 3 days; summer season; calibrated on 201 recent jobs."
    )


@pytest.mark.parametrize(
    ("name", "value", "shown"),
    [
        ("coverage_80", 0.7917, "79.2 %"),
        ("month_bias_pct", -0.331, "-33.1 %"),
        ("bias_days", 3.9, "+3.9 d"),
        ("mae_days", 4.81, "4.8 d"),
        ("c_index", 0.80283, "0.803"),
        ("observations", 6468.0, "6,468"),
        ("unheard_of", None, "—"),
    ],
)
def test_metrics_read_by_kind(name: str, value: float | None, shown: str) -> None:
    assert metric_value(name, value) == shown


def test_a_monthly_metric_says_so_and_an_unknown_one_admits_it() -> None:
    assert metric_definition("month_coverage_80").endswith("By month.")
    assert metric_definition("something_new") == "As the model reported it."
