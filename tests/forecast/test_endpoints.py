"""The forecast API: who may see and start what, money left out for roles without view_money,
a job's window, a queued run through its task, and the nightly cron."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from roofops.exceptions import ValidationFailed
from roofops.forecast import tasks
from roofops.forecast.results import Unit
from roofops.forecast.service import RUN_TASK
from roofops.models import BackgroundJob, Role
from roofops.models.forecast import ForecastRun, ForecastRunStatus, ForecastTrigger
from roofops.worker.cron import all_crons
from tests.factories import ApiClient, make_job
from tests.forecast.stored_runs import store_run, weekly, window

BASE = "/api/v1/forecast"
MONDAY = date(2026, 6, 1)


@pytest.fixture
def stored(db: Session) -> ForecastRun:
    job = make_job(db)
    run = store_run(
        db,
        MONDAY,
        [window(job, date(2026, 7, 1))],
        [
            weekly("demand.crew_hours.shingle", MONDAY, [80.0, 90.0]),
            weekly("revenue.week", MONDAY, [1_000_000.0], unit=Unit.CENTS),
        ],
    )
    db.commit()
    return run


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CREW_LEAD])
def test_viewers_and_crew_leads_see_no_forecast_pages_data(
    api: ApiClient, stored: ForecastRun, role: Role
) -> None:
    client = api.as_role(role)
    for path in ("/runs", f"/runs/{stored.id}", "/series", "/accuracy"):
        refused = client.get(f"{BASE}{path}")
        assert refused.status_code == 403, path
        assert "view_forecasts" in refused.json()["error"]["message"]


def test_finance_sees_revenue_and_the_dispatcher_does_not(
    api: ApiClient, stored: ForecastRun
) -> None:
    finance = api.as_role(Role.FINANCE).get(f"{BASE}/series")
    dispatcher = api.as_role(Role.DISPATCHER).get(
        f"{BASE}/series", params={"run_id": str(stored.id)}
    )

    assert finance.status_code == 200, finance.text
    assert [s["key"] for s in finance.json()] == ["demand.crew_hours.shingle", "revenue.week"]
    assert finance.json()[1]["points"][0]["p50"] == 1_000_000.0
    assert [s["key"] for s in dispatcher.json()] == ["demand.crew_hours.shingle"]
    runs = api.as_role(Role.DISPATCHER).get(f"{BASE}/runs").json()
    assert [m["model"] for m in runs[0]["metrics"]] == ["completion"]  # revenue backtest left out


def test_a_run_shows_its_metrics_and_counts(api: ApiClient, stored: ForecastRun) -> None:
    office = api.as_role(Role.OFFICE)
    detail = office.get(f"{BASE}/runs/{stored.id}").json()

    assert detail["status"] == "succeeded"
    assert (detail["job_forecasts"], detail["series_points"]) == (1, 3)
    assert {m["kind"] for m in detail["metrics"]} == {"fit", "backtest"}
    assert (
        office.get(f"{BASE}/series", params={"prefix": "demand."}).json()[0]["points"][1]["p50"]
        == 90.0
    )
    missing = office.get(f"{BASE}/runs/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404


@pytest.mark.usefixtures("stored")
def test_a_jobs_window_is_there_for_whoever_sees_jobs(api: ApiClient, db: Session) -> None:
    job_id = db.scalar(sa.text("SELECT job_id FROM job_forecasts"))
    crew_lead = api.as_role(Role.CREW_LEAD)

    found = crew_lead.get(f"{BASE}/jobs/{job_id}")
    assert found.status_code == 200, found.text
    assert found.json()["finish"] == {"p10": "2026-06-26", "p50": "2026-07-01", "p90": "2026-07-06"}
    assert found.json()["start"]["p50"] == "2026-06-16"
    unknown = crew_lead.get(f"{BASE}/jobs/{make_job(db).id}")
    assert unknown.status_code == 404
    assert "no forecast for this job" in unknown.json()["error"]["message"]


def test_only_an_admin_starts_a_run_and_only_one_at_a_time(
    api: ApiClient, db: Session, is_postgres: bool
) -> None:
    assert api.as_role(Role.OFFICE).post(f"{BASE}/runs", json={}).status_code == 403
    admin = api.as_role(Role.ADMIN)

    started = admin.post(f"{BASE}/runs", json={"as_of": "2026-06-01"})
    again = admin.post(f"{BASE}/runs", json={})

    assert started.status_code == 202, started.text
    assert started.json()["status"] == "running"
    assert started.json()["trigger"] == "manual"
    assert again.status_code == 409
    assert "already running" in again.json()["error"]["message"]
    if not is_postgres:  # the embedded queue is a table; procrastinate's is its own
        queued = db.scalars(sa.select(BackgroundJob).where(BackgroundJob.task_name == RUN_TASK))
        assert [job.args["run_id"] for job in queued] == [started.json()["id"]]


def test_a_queued_run_that_fails_records_why(
    api: ApiClient, db: Session, session_maker: sessionmaker[Session]
) -> None:
    started = api.as_role(Role.ADMIN).post(f"{BASE}/runs", json={"as_of": "2001-01-01"})
    run_id = started.json()["id"]

    with pytest.raises(ValidationFailed):
        tasks.run(session_maker, run_id=run_id)

    shown = api.as_role(Role.ADMIN).get(f"{BASE}/runs/{run_id}").json()
    assert shown["status"] == "failed"
    assert shown["error"].startswith("The forecast failed: no job history before 2001-01-01")
    assert (shown["job_forecasts"], shown["series_points"]) == (0, 0)
    tasks.run(session_maker, run_id=run_id)  # delivered again: the recorded run stays as it is
    assert api.as_role(Role.ADMIN).get(f"{BASE}/runs/{run_id}").json() == shown


def test_the_nightly_cron_queues_a_run_and_skips_while_one_runs(db: Session) -> None:
    (spec,) = [spec for spec in all_crons() if spec.name == tasks.NIGHTLY_CRON]
    assert spec.crontab == "41 2 * * *"
    tick = datetime(2026, 6, 2, 2, 41, tzinfo=UTC)

    tasks.nightly(db, tick)
    tasks.nightly(db, tick)  # the first is still running: skipped, not an error

    runs = db.scalars(sa.select(ForecastRun)).all()
    assert [(r.trigger, r.status) for r in runs] == [
        (ForecastTrigger.NIGHTLY, ForecastRunStatus.RUNNING)
    ]


def test_accuracy_leaves_revenue_points_out_without_view_money(
    api: ApiClient, db: Session, stored: ForecastRun
) -> None:
    store_run(
        db,
        date(2026, 6, 15),
        series=[
            weekly("demand.crew_hours.shingle", MONDAY, [0.0, 0.0], actuals=[85.0, 200.0]),
            weekly("revenue.week", MONDAY, [0.0], unit=Unit.CENTS, actuals=[950_000.0]),
        ],
    )
    db.commit()

    finance = api.as_role(Role.FINANCE).get(f"{BASE}/accuracy").json()
    dispatcher = api.as_role(Role.DISPATCHER).get(f"{BASE}/accuracy").json()

    assert [run["run_id"] for run in finance["runs"]] == [str(stored.id)]
    assert finance["runs"][0]["points_checked"] == 3
    assert {(p["series_key"], p["inside"]) for p in finance["points"]} == {
        ("demand.crew_hours.shingle", True),
        ("demand.crew_hours.shingle", False),
        ("revenue.week", True),
    }
    assert {p["series_key"] for p in dispatcher["points"]} == {"demand.crew_hours.shingle"}
    assert dispatcher["runs"][0]["points_checked"] == 2  # its scores leave revenue out too
