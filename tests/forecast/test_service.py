"""Forecast runs on a real database: what a run stores reads back the same, a failure leaves
only the failed run with its sentence, one run at a time, and forecast vs actual."""

from __future__ import annotations

import math
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy.orm import Session

from roofops.exceptions import Conflict
from roofops.forecast.pipeline import RunOutputs, backtest_origins
from roofops.forecast.results import ForecastSeries, SeriesPoint, Unit
from roofops.forecast.service import forecast_service, run_forecast, without_money
from roofops.kit.time import utcnow
from roofops.models.enums import ActorType, JobStage
from roofops.models.forecast import ForecastRunStatus, ForecastTrigger
from roofops.models.job import Job, JobStageEvent
from tests.factories import make_job
from tests.forecast.stored_runs import store_run, weekly, window

AS_OF = date(2026, 6, 1)  # a Monday
MONDAY = AS_OF


def test_a_run_reads_back_its_windows_series_and_metrics(db: Session) -> None:
    signed, building = make_job(db), make_job(db)
    windows = [window(signed, date(2026, 7, 1)), window(building, date(2026, 6, 12), started=True)]
    demand = weekly("demand.crew_hours.shingle", MONDAY, [80.0, 95.5, 60.0])
    revenue = weekly("revenue.week", MONDAY, [1_200_000.0, 900_000.0], unit=Unit.CENTS)

    run = store_run(db, AS_OF, windows, [demand, revenue])
    db.expire_all()

    assert forecast_service.job_window(db, signed.id) == windows[0]
    assert forecast_service.job_window(db, building.id) == windows[1]
    assert forecast_service.series(db, run.id, "demand.") == (demand,)
    assert forecast_service.series(db, run.id) == (demand, revenue)
    assert forecast_service.series(db) == (demand, revenue)  # the latest succeeded run
    assert forecast_service.counts(db, run.id) == (2, 5)
    stored = forecast_service.get_run(db, run.id)
    assert stored.status == ForecastRunStatus.SUCCEEDED
    assert [(m["model"], m["kind"]) for m in stored.metrics] == [
        ("completion", "fit"),
        ("revenue", "backtest"),
    ]
    assert stored.duration_seconds == 1.5
    assert stored.threads == 1


def test_numpy_values_and_nan_are_stored_as_plain_json(db: Session) -> None:
    point = SeriesPoint(
        MONDAY,
        p10=np.float64(1.0),
        p50=np.float64(2.0),
        p90=math.nan,
        actual=None,
        components={"trend": np.float64(2.5), "anomaly": np.bool_(True), "remainder": math.inf},
    )
    series = ForecastSeries("trend.leads", "Leads", Unit.COUNT, "month", (point,), "d", "s")
    run = store_run(db, AS_OF, series=[series])
    db.expire_all()

    (back,) = forecast_service.series(db, run.id)
    assert back.points[0] == SeriesPoint(
        MONDAY,
        p10=1.0,
        p50=2.0,
        p90=None,
        actual=None,
        components={"trend": 2.5, "anomaly": True, "remainder": None},
    )


def test_the_latest_window_comes_from_the_newest_succeeded_run(db: Session) -> None:
    job = make_job(db)
    store_run(db, AS_OF, [window(job, date(2026, 7, 1))])
    newer = store_run(db, AS_OF + timedelta(1), [window(job, date(2026, 7, 9))])
    failed = forecast_service.open_run(db, AS_OF + timedelta(2), trigger=ForecastTrigger.CLI)
    forecast_service.fail(failed, RuntimeError("boom"))

    found = forecast_service.job_window(db, job.id)
    assert found is not None
    assert found.finish.p50 == date(2026, 7, 9)
    assert forecast_service.latest_run(db) == failed
    assert forecast_service.latest_succeeded(db) == newer


def test_a_run_before_any_history_fails_with_a_sentence_and_stores_nothing(db: Session) -> None:
    make_job(db, stage=JobStage.CONTRACT_SIGNED)
    run = run_forecast(db, date(2001, 1, 1), trigger="cli", origins=0)

    assert run.status == ForecastRunStatus.FAILED
    assert run.error.startswith("The forecast failed: no job history before 2001-01-01")
    assert run.finished_at is not None
    assert run.duration_seconds is not None
    assert run.metrics == []
    assert forecast_service.counts(db, run.id) == (0, 0)


def test_a_failure_while_storing_leaves_no_partial_rows(db: Session) -> None:
    """The second window names a job that does not exist: the first must not stay behind."""
    job = make_job(db)
    ghost = replace(window(job, date(2026, 7, 2)), job_id=uuid.uuid4())
    outputs = RunOutputs(
        jobs=(window(job, date(2026, 7, 1)), ghost),
        series=(weekly("demand.crew_hours.shingle", MONDAY, [1.0, 2.0]),),
        fit_metrics=(),
    )
    run = forecast_service.open_run(db, AS_OF, trigger=ForecastTrigger.CLI)

    forecast_service.record(db, run, lambda: outputs)

    assert run.status == ForecastRunStatus.FAILED
    assert "IntegrityError" in run.error
    assert forecast_service.counts(db, run.id) == (0, 0)
    assert forecast_service.job_window(db, job.id) is None


def test_one_run_at_a_time_and_a_stale_one_does_not_block(db: Session) -> None:
    first = forecast_service.open_run(db, AS_OF, trigger=ForecastTrigger.MANUAL)
    with pytest.raises(Conflict, match="already running"):
        forecast_service.open_run(db, AS_OF, trigger=ForecastTrigger.NIGHTLY)

    first.started_at = utcnow() - timedelta(hours=3)  # its worker died long ago
    second = forecast_service.open_run(db, AS_OF, trigger=ForecastTrigger.NIGHTLY)

    assert first.status == ForecastRunStatus.FAILED
    assert "did not finish" in first.error
    assert second.status == ForecastRunStatus.RUNNING


def test_backtest_origins_are_a_quarter_apart_before_the_run() -> None:
    assert backtest_origins(AS_OF, 2) == [AS_OF - timedelta(182), AS_OF - timedelta(91)]
    assert backtest_origins(AS_OF, 0) == []


def _complete(db: Session, job: Job, on: date) -> None:
    at = datetime(on.year, on.month, on.day, 15, tzinfo=UTC)
    db.add(
        JobStageEvent(
            job_id=job.id,
            from_stage=job.stage,
            to_stage=JobStage.COMPLETED,
            occurred_at=at,
            recorded_at=at,
            actor_type=ActorType.SYSTEM,
        )
    )
    job.stage = JobStage.COMPLETED
    db.flush()


def test_accuracy_checks_a_past_run_against_what_happened_since(db: Session) -> None:
    early, late, still_open = make_job(db), make_job(db), make_job(db)
    hours = "demand.crew_hours.shingle"
    past = store_run(
        db,
        AS_OF,
        [
            window(early, date(2026, 6, 20)),
            window(late, date(2026, 6, 20)),
            window(still_open, date(2026, 6, 25)),
        ],
        [
            weekly(hours, MONDAY, [100.0, 100.0, 100.0]),
            weekly("revenue.week", MONDAY, [500.0], unit=Unit.CENTS),
            # Known when the run was made: a fitted past, not a forecast to check.
            weekly("trend.leads", MONDAY, [30.0], unit=Unit.COUNT, actuals=[31.0]),
        ],
    )
    _complete(db, early, date(2026, 6, 18))  # 2 days early, inside 15..25
    _complete(db, late, date(2026, 6, 30))  # 10 days late, outside
    # The next run knows the first two weeks' actuals; the third week has not passed yet.
    store_run(
        db,
        AS_OF + timedelta(weeks=2),
        series=[
            weekly(hours, MONDAY, [0.0, 0.0, 0.0], actuals=[110.0, 150.0]),
            weekly("revenue.week", MONDAY, [0.0], unit=Unit.CENTS, actuals=[450.0]),
            weekly("trend.leads", MONDAY, [0.0], unit=Unit.COUNT, actuals=[31.0]),
        ],
    )

    checked = forecast_service.accuracy(db)

    (score,) = checked.runs
    assert score.run_id == past.id
    assert (score.jobs_forecast, score.jobs_completed) == (3, 2)
    assert sorted(check.error_days for check in checked.jobs) == [-2, 10]
    assert (score.mae_days, score.bias_days, score.coverage_80) == (6.0, 4.0, 0.5)
    assert score.points_checked == 3
    assert score.points_coverage_80 == pytest.approx(2 / 3, abs=0.001)  # 150 is outside 80-120
    assert {c.series_key for c in checked.points} == {hours, "revenue.week"}


def test_money_series_are_recognised_by_key_and_unit() -> None:
    hours = weekly("demand.crew_hours.shingle", MONDAY, [1.0])
    cents = weekly("capacity.other", MONDAY, [1.0], unit=Unit.CENTS)
    margin = weekly("trend.margin", MONDAY, [1.0], unit=Unit.PERCENT)
    revenue = weekly("revenue.month", MONDAY, [1.0], unit=Unit.CENTS)
    revenues_like = weekly("trend.revenues_per_crew", MONDAY, [1.0], unit=Unit.COUNT)

    assert without_money((hours, cents, margin, revenue, revenues_like)) == (hours, revenues_like)
