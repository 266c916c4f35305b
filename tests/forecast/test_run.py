"""A whole forecast run on a small demo company, through the worker's task: every part stores
its results; the numeric libraries are held to the run's threads."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from roofops.cli.demo import first_forecast
from roofops.config import get_settings
from roofops.forecast import tasks
from roofops.forecast.service import forecast_service
from roofops.forecast.threads import limited_threads
from roofops.models.forecast import ForecastRunStatus, ForecastTrigger
from roofops.sandbox.demo import build_demo

AS_OF = date(2026, 6, 30)


@pytest.fixture
def no_backtests(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The backtests refit every model per origin: their parts test them; storing their
    metrics is tested with hand-built ones (test_service.py)."""
    monkeypatch.setenv("ROOFOPS_FORECAST_BACKTEST_ORIGINS", "0")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.mark.usefixtures("no_backtests")
def test_a_queued_run_stores_every_part_with_its_metrics(
    db: Session, session_maker: sessionmaker[Session]
) -> None:
    build_demo(db, size=0.03, seed=5, as_of=AS_OF)
    run = forecast_service.start_run(db, AS_OF, trigger=ForecastTrigger.MANUAL)
    db.commit()

    tasks.run(session_maker, run_id=str(run.id))

    db.expire_all()
    stored = forecast_service.get_run(db, run.id)
    assert stored.error == ""
    assert stored.status == ForecastRunStatus.SUCCEEDED
    assert stored.duration_seconds is not None
    jobs, _ = forecast_service.counts(db, run.id)
    assert jobs > 0
    families = {one.key.split(".")[0] for one in forecast_service.series(db, run.id)}
    assert {"demand", "capacity", "revenue", "trend"} <= families
    assert [(entry["model"], entry["kind"]) for entry in stored.metrics] == [("completion", "fit")]


def test_a_run_holds_blas_and_openmp_to_its_threads() -> None:
    from threadpoolctl import threadpool_info

    with limited_threads(1):
        pools = threadpool_info()

    assert pools  # numpy's BLAS at least, and LightGBM's OpenMP
    assert {pool["num_threads"] for pool in pools} == {1}


def test_the_demo_makes_a_run_four_weeks_back_and_one_as_of_its_last_day(db: Session) -> None:
    build_demo(db, size=0.03, seed=5, as_of=AS_OF)
    steps: list[tuple[str, int, int]] = []

    latest = first_forecast(db, AS_OF, lambda *step: steps.append(step))

    runs = sorted(forecast_service.runs(db), key=lambda run: run.as_of)
    assert [(run.as_of, run.trigger, run.status) for run in runs] == [
        (AS_OF - timedelta(days=28), ForecastTrigger.DEMO, ForecastRunStatus.SUCCEEDED),
        (AS_OF, ForecastTrigger.DEMO, ForecastRunStatus.SUCCEEDED),
    ]
    assert latest == runs[1]
    assert {entry["kind"] for entry in runs[1].metrics} == {"fit", "backtest"}
    assert [entry["kind"] for entry in runs[0].metrics] == ["fit"]
    assert steps == [("forecast", 0, 2), ("forecast", 1, 2), ("forecast", 2, 2)]
    # The earlier run is what forecast vs actual checks; a second build makes no more runs.
    assert [score.run_id for score in forecast_service.accuracy(db).runs] == [runs[0].id]
    assert first_forecast(db, AS_OF, lambda *step: steps.append(step)) is None
