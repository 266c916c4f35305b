"""The demand, revenue and win-probability engines on hand-made inputs."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from roofops.engines.forecast.demand import (
    CrewCalendar,
    DemandInputs,
    OpenWork,
    ScheduledDay,
    capacity,
    forecast_demand,
)
from roofops.engines.forecast.projection_sim import new_work_daily
from roofops.engines.forecast.revenue import RevenueInputs, RevenueItem, forecast_revenue
from roofops.engines.forecast.winprob import (
    WinExample,
    WinFeatures,
    brier_score,
    calibration_error,
    fit_win_model,
)

MONDAY = date(2027, 3, 1)


def flat_model(y: np.ndarray, horizon: int, _season: int) -> tuple[np.ndarray, ...]:
    mean = np.full(horizon, float(np.mean(y)))
    return mean, mean - 1.0, mean + 1.0


def test_capacity_is_calendar_arithmetic_with_time_off_and_a_holiday() -> None:
    crew = CrewCalendar(
        key="c1",
        skills=("asphalt_shingle", "metal"),
        iso_weekdays=frozenset({1, 2, 3, 4, 5}),
        hours_per_day=9.5,
        days_off=frozenset({MONDAY + timedelta(days=8), MONDAY + timedelta(days=9)}),
    )
    holiday = frozenset({MONDAY + timedelta(days=2)})
    available = capacity([crew], holiday, MONDAY, 3)
    # Week 1: 5 weekdays minus the holiday; week 2: minus two days off; week 3: all five.
    # The crew holds two skills: each gets half its days.
    assert available["asphalt_shingle"][1].tolist() == [2.0, 1.5, 2.5]
    assert available["metal"][0].tolist() == [2 * 9.5, 1.5 * 9.5, 2.5 * 9.5]


def test_capacity_counts_only_the_days_from_the_origin() -> None:
    crew = CrewCalendar("c", ("tile",), frozenset({1, 2, 3, 4, 5, 6}), 8.0)
    wednesday = MONDAY + timedelta(days=2)
    assert capacity([crew], frozenset(), wednesday, 1)["tile"][1].tolist() == [4.0]


def test_scheduled_component_sums_to_the_plans_hours_and_quantiles_are_ordered() -> None:
    scheduled = [
        ScheduledDay("asphalt_shingle", MONDAY + timedelta(days=d), 9.5) for d in (0, 1, 7)
    ]
    work = OpenWork("J1/install", "asphalt_shingle", 3, 8.0, np.array([3, 10, 20, 40]), 0.6)
    inputs = DemandInputs(MONDAY, 4, scheduled=scheduled, open_work=[work])
    result = forecast_demand(inputs, flat_model, samples=300, seed=5)
    rows = [row for row in result.rows if row.skill == "asphalt_shingle"]
    assert sum(row.hour_components["scheduled"] for row in rows) == 3 * 9.5
    assert sum(row.day_components["scheduled"] for row in rows) == 3
    for row in rows:
        assert row.hours.p025 <= row.hours.p10 <= row.hours.p50 <= row.hours.p90 <= row.hours.p975
    # The pipeline job is won 60 % of the time: its expected crew-days are 0.6 x 3.
    pipeline = sum(row.day_components["pipeline"] for row in rows)
    assert 1.5 < pipeline < 2.1


def test_shortfall_and_idle_flags() -> None:
    crew = CrewCalendar("c", ("metal",), frozenset({1, 2, 3, 4, 5}), 8.0)
    busy = [ScheduledDay("metal", MONDAY + timedelta(days=d), 8.0) for d in range(5)] * 2
    result = forecast_demand(
        DemandInputs(MONDAY, 2, scheduled=busy, crews=[crew]), flat_model, samples=50
    )
    first, second = result.rows
    assert first.shortfall
    assert not first.idle
    assert second.idle
    assert not second.shortfall


def test_backlog_over_an_unbounded_horizon_is_the_whole_backlog() -> None:
    items = [
        RevenueItem("J1", 1_250_000, np.array([5, 30, 90])),
        RevenueItem("J2", 730_000, np.array([-4, 2])),  # overdue: still to come
        RevenueItem("J3", 410_000, np.zeros(1), days_since_finish=12),
    ]
    inputs = RevenueInputs(MONDAY, items=items, invoice_lags=np.array([0, 3, 20]))
    result = forecast_revenue(inputs, flat_model, weeks=52, months=24, samples=200, seed=1)
    for periods in (result.weeks, result.months):
        total = sum(period.components["backlog"] for period in periods)
        assert abs(total - 2_390_000) < 1e-6
        for period in periods:
            assert period.band.p10 <= period.band.p50 <= period.band.p90


def test_a_pipeline_item_counts_its_win_probability() -> None:
    item = RevenueItem("J4", 1_000_000, np.array([10]), probability=0.3)
    inputs = RevenueInputs(MONDAY, items=[item], invoice_lags=np.array([0]))
    result = forecast_revenue(inputs, flat_model, weeks=8, months=3, samples=2000, seed=2)
    expected = sum(period.components["pipeline"] for period in result.weeks)
    assert 250_000 < expected < 350_000


def _example(job_type: str, rep: str, won: bool) -> WinExample:
    return WinExample(WinFeatures(job_type, job_type == "repair", "estimate", 5, rep, 6), won)


def test_win_probabilities_are_calibrated_probabilities() -> None:
    rng = np.random.default_rng(3)
    examples = [
        _example(kind, rep, bool(rng.random() < odds))
        for kind, rep, odds in [("reroof", "Ann", 0.8), ("gutters", "Bob", 0.3)] * 100
    ]
    model = fit_win_model(examples, seed=0)
    assert model.pipeline is not None
    strong, weak = model.predict([examples[0].features, examples[1].features])
    assert 0.0 <= weak < strong <= 1.0
    assert strong > 0.6
    assert weak < 0.5


def test_too_few_examples_give_the_base_rate() -> None:
    model = fit_win_model([_example("reroof", "Ann", True), _example("reroof", "Ann", False)])
    assert model.pipeline is None
    assert model.predict([_example("reroof", "Ann", True).features]).tolist() == [0.5]


def test_brier_and_calibration_error() -> None:
    p, y = np.array([0.9, 0.9, 0.1, 0.1]), np.array([1.0, 1.0, 0.0, 0.0])
    assert abs(brier_score(p, y) - 0.01) < 1e-12
    assert abs(calibration_error(p, y) - 0.1) < 1e-12
    assert calibration_error(np.array([0.5, 0.5]), np.array([1.0, 0.0])) == 0.0


def test_new_work_follows_the_season_seen_in_a_year_and_a_half() -> None:
    """Storm-season months are heavy: with 18 months (too few for the series model's own
    season) the seasonal indices still put more new work in summer than in winter."""
    summer = {5, 6, 7, 8}
    as_of = date(2027, 4, 1)  # the history ends with March 2027, starting October 2025
    months = [(10 + i - 1) % 12 + 1 for i in range(18)]
    y = np.array([40.0 if month in summer else 10.0 for month in months])
    daily = new_work_daily(
        y,
        as_of,
        days=300,
        age_cdf=np.ones(1),
        model=flat_model,
        samples=50,
        rng=np.random.default_rng(0),
    )
    july = daily[:, (date(2027, 7, 1) - as_of).days : (date(2027, 8, 1) - as_of).days]
    december = daily[:, (date(2027, 12, 1) - as_of).days : (date(2028, 1, 1) - as_of).days]
    assert july.sum(axis=1).mean() > 2 * december.sum(axis=1).mean()
