"""The Forecast pages through TestClient, role by role: empty states, a stored run's windows,
charts and trends, money only for money roles, a failed run's error, the job page's window,
and Run forecast now."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from roofops.forecast.pipeline import RunOutputs
from roofops.forecast.results import ForecastSeries, SeriesPoint, Unit
from roofops.forecast.service import forecast_service
from roofops.models import Role
from roofops.models.enums import JobStage, JobType
from roofops.models.forecast import ForecastRun, ForecastRunStatus, ForecastTrigger
from roofops.models.job import Job
from tests.factories import make_job
from tests.web.conftest import Browser
from tests.web.forecast_data import sample_outputs, store_run, weekly, window_for

SignIn = Callable[[Role], Browser]
AS_OF = date(2026, 12, 1)


@pytest.fixture
def jobs(db: Session) -> dict[str, Job]:
    made = {
        "scheduled": make_job(db, stage=JobStage.SCHEDULED, number="F-100", name="Oak St reroof"),
        "production": make_job(
            db, stage=JobStage.IN_PRODUCTION, number="F-200", job_type=JobType.REPAIR
        ),
        "unforecast": make_job(db, stage=JobStage.ESTIMATE, number="F-300"),
    }
    db.commit()
    return made


@pytest.fixture
def stored(db: Session, jobs: dict[str, Job]) -> ForecastRun:
    run = store_run(db, sample_outputs(jobs["scheduled"], jobs["production"]), as_of=AS_OF)
    db.commit()
    return run


def _text(browser: Browser, url: str, status: int = 200) -> str:
    response = browser.client.get(url)
    assert response.status_code == status, response.text[:300]
    return response.text


def test_with_no_run_each_page_says_so_and_only_admins_get_the_button(sign_in: SignIn) -> None:
    office = _text(sign_in(Role.OFFICE), "/forecast")
    assert "No forecast has run yet" in office
    assert 'id="run-forecast"' not in office
    assert 'http-equiv="refresh"' not in office  # nothing running: no reloading
    for url in (
        "/forecast/completion",
        "/forecast/demand",
        "/forecast/trends",
        "/forecast/accuracy",
    ):
        assert "No forecast has run yet" in _text(sign_in(Role.DISPATCHER), url)

    admin = _text(sign_in(Role.ADMIN), "/forecast")
    assert 'id="run-forecast"' in admin


@pytest.mark.parametrize("role", [Role.CREW_LEAD, Role.VIEWER])
def test_roles_without_view_forecasts_get_403_and_no_tab(sign_in: SignIn, role: Role) -> None:
    browser = sign_in(role)
    for url in ("/forecast", "/forecast/completion", "/forecast/demand", "/forecast/trends"):
        assert browser.client.get(url).status_code == 403
    assert 'href="/forecast"' not in _text(browser, "/jobs")


@pytest.mark.usefixtures("stored")
def test_overview_shows_the_run_and_its_metrics_with_definitions(sign_in: SignIn) -> None:
    page = _text(sign_in(Role.FINANCE), "/forecast")

    assert "Run as of 2026-12-01" in page
    assert "2 job windows" in page
    assert re.search(
        r'title="Share of held-out outcomes inside their 80 % interval[^"]*">'
        r"Coverage 80</dt><dd>79.0 %</dd>",
        page,
    )
    assert "<dd>6.1 d</dd>" in page
    assert 'href="/forecast"' in _text(sign_in(Role.DISPATCHER), "/jobs")


def test_completion_lists_windows_with_their_basis_and_filters_by_stage(
    sign_in: SignIn, stored: ForecastRun, jobs: dict[str, Job]
) -> None:
    browser = sign_in(Role.DISPATCHER)
    page = _text(browser, "/forecast/completion")

    assert 'id="windows-count">2 of 2' in page
    row = page[page.index('data-job-number="F-100"') :]
    row = row[: row.index("</tr>")]
    assert "Jan 20, 2027" in row
    assert "(Jan 15 \u2013 Feb 1)" in row
    assert "Jan 4, 2027" in row
    assert "Based on 412 similar jobs; in Scheduled for 9 days; backlog 3.5 jobs per crew" in row
    assert page.index("F-200") < page.index("F-100")  # soonest finish first

    filtered = _text(browser, "/forecast/completion?stage=in_production")
    assert "F-200" in filtered
    assert 'data-job-number="F-100"' not in filtered
    by_number = _text(browser, "/forecast/completion?sort=number")
    assert by_number.index('data-job-number="F-100"') < by_number.index('data-job-number="F-200"')


@pytest.mark.usefixtures("stored")
def test_demand_draws_band_capacity_and_flags_shortfall_and_idle_weeks(sign_in: SignIn) -> None:
    page = _text(sign_in(Role.DISPATCHER), "/forecast/demand")

    assert 'class="chart-band"' in page
    assert 'class="chart-capacity"' in page
    assert page.count("chart-point chart-flagged") == 2
    assert "capacity 150 h; flagged" in page
    table = page[page.index('data-chart-table="chart-demand-crew-hours-shingle"') :]
    assert ">Shortfall or idle</td>" in table[: table.index("</table>")]
    assert "Source: tests" in page
    made_of = page[page.index("What the median is made of") :]
    assert ">Scheduled</th>" in made_of
    assert '<th scope="row">wk 07 Dec</th><td class="num">90 h</td>' in made_of  # 180 / 2


@pytest.mark.usefixtures("stored")
def test_revenue_is_for_money_roles_only(sign_in: SignIn) -> None:
    assert sign_in(Role.DISPATCHER).client.get("/forecast/revenue").status_code == 403
    assert 'href="/forecast/revenue"' not in _text(sign_in(Role.DISPATCHER), "/forecast")

    page = _text(sign_in(Role.FINANCE), "/forecast/revenue")
    assert "Revenue by week" in page
    assert "$60,000" in page


@pytest.mark.usefixtures("stored")
def test_trends_mark_anomalies_and_hide_money_from_the_dispatcher(sign_in: SignIn) -> None:
    dispatcher = _text(sign_in(Role.DISPATCHER), "/forecast/trends")
    assert "Leads" in dispatcher
    assert "Revenue (invoiced)" not in dispatcher
    summary = dispatcher[dispatcher.index('id="trend-summary"') :]
    assert "Feb 2026" in summary[: summary.index("</table>")]  # the anomalous month
    assert 'class="chart-trend"' in dispatcher

    office = _text(sign_in(Role.OFFICE), "/forecast/trends")
    assert "Revenue (invoiced)" in office


def test_a_failed_run_shows_its_error_above_the_last_good_figures(
    db: Session, sign_in: SignIn, stored: ForecastRun
) -> None:
    failed = forecast_service.open_run(db, AS_OF, trigger=ForecastTrigger.NIGHTLY)
    forecast_service.fail(failed, RuntimeError("lifelines did not converge"))
    forecast_service.finish(failed, 3.0)
    db.commit()

    page = _text(sign_in(Role.OFFICE), "/forecast/completion")

    assert "The latest forecast run (as of 2026-12-01) failed." in page
    assert "The forecast failed: RuntimeError: lifelines did not converge" in page
    assert "The figures below are from the last run that succeeded." in page
    assert 'data-job-number="F-100"' in page


def test_the_job_page_shows_the_window_and_what_it_rests_on(
    sign_in: SignIn, stored: ForecastRun, jobs: dict[str, Job]
) -> None:
    browser = sign_in(Role.VIEWER)  # whoever may view the job sees its window

    page = _text(browser, f"/jobs/{jobs['scheduled'].id}")
    block = page[page.index('id="job-forecast"') :]
    assert "Predicted start / completion" in block
    assert "Jan 20, 2027" in block[block.index('id="forecast-finish"') :]
    assert "Based on 412 similar jobs" in block

    production = _text(browser, f"/jobs/{jobs['production'].id}")
    assert "Started" in production[production.index('id="forecast-start"') :]

    none = _text(browser, f"/jobs/{jobs['unforecast'].id}")
    assert "No forecast for this job yet" in none


def test_a_job_page_before_any_run_says_there_is_no_forecast(
    sign_in: SignIn, jobs: dict[str, Job]
) -> None:
    page = _text(sign_in(Role.OFFICE), f"/jobs/{jobs['scheduled'].id}")

    assert 'id="forecast-none"' in page


def test_run_forecast_now_queues_a_run_for_admins_only(db: Session, sign_in: SignIn) -> None:
    refused = sign_in(Role.OFFICE).post("/forecast/runs")
    assert refused.status_code == 403

    admin = sign_in(Role.ADMIN)
    response = admin.post("/forecast/runs")
    assert response.status_code == 303
    assert response.headers["location"] == "/forecast?started=1"
    run = db.scalars(sa.select(ForecastRun)).one()
    assert run.status == ForecastRunStatus.RUNNING
    assert run.trigger == ForecastTrigger.MANUAL
    assert run.created_by_id == admin.user.id

    page = _text(admin, "/forecast?started=1")
    assert "Forecast run started" in page
    assert 'data-run-status="running"' in page
    assert '<meta http-equiv="refresh" content="20">' in page
    again = admin.post("/forecast/runs")
    assert again.status_code == 409
    assert "already running" in again.text


def test_forecast_vs_actual_scores_a_past_run_against_what_happened(
    db: Session, sign_in: SignIn
) -> None:
    done = make_job(
        db, stage=JobStage.COMPLETED, stage_changed_at=datetime(2026, 11, 20, tzinfo=UTC)
    )
    key = "demand.crew_hours.shingle"
    past = RunOutputs(
        jobs=(window_for(done, date(2026, 11, 18)),),
        series=(weekly(key, "Shingle demand", [100.0]),),
        fit_metrics=(),
    )
    store_run(db, past, as_of=date(2026, 11, 23))
    known = ForecastSeries(
        key,
        "Shingle demand",
        Unit.CREW_HOURS,
        "week",
        (SeriesPoint(date(2026, 11, 30), actual=110.0),),
        "Demand.",
        "tests",
    )
    store_run(db, RunOutputs(jobs=(), series=(known,), fit_metrics=()), as_of=AS_OF)
    db.commit()

    page = _text(sign_in(Role.DISPATCHER), "/forecast/accuracy")

    runs = page[page.index('id="scored-runs"') :]
    assert "2026-11-23" in runs
    assert "+2.0 d" in runs[: runs.index("</table>")]  # finished Nov 20, median said Nov 18
    checks = page[page.index('id="series-checks"') :]
    assert '<th scope="row">Shingle demand</th><td class="num">1</td>' in checks
    assert "100 %" in checks[: checks.index("</table>")]  # 110 h inside 80-120 h
    assert "110 h" in page


@pytest.mark.usefixtures("stored")
def test_the_accuracy_page_follows_each_runs_backtest(sign_in: SignIn) -> None:
    page = _text(sign_in(Role.DISPATCHER), "/forecast/accuracy")

    table = page[page.index('id="backtests"') :]
    table = table[: table.index("</table>")]
    assert "<td>2026-12-01</td><td>cli</td>" in table
    assert '<td class="num">79.0 %</td><td class="num">6.1 d</td>' in table
    assert 'title="Brier score of the win probability' in table


def test_forecast_vs_actual_shows_revenue_checks_only_to_money_roles(
    db: Session, sign_in: SignIn
) -> None:
    past = RunOutputs(
        jobs=(),
        series=(weekly("revenue.week", "Revenue by week", [5_000_000.0]),),
        fit_metrics=(),
    )
    store_run(db, past, as_of=date(2026, 11, 23))
    known = ForecastSeries(
        "revenue.week",
        "Revenue by week",
        Unit.CENTS,
        "week",
        (SeriesPoint(date(2026, 11, 30), actual=5_200_000.0),),
        "Revenue.",
        "tests",
    )
    store_run(db, RunOutputs(jobs=(), series=(known,), fit_metrics=()), as_of=AS_OF)
    db.commit()

    finance = _text(sign_in(Role.FINANCE), "/forecast/accuracy")
    dispatcher = _text(sign_in(Role.DISPATCHER), "/forecast/accuracy")

    assert "Revenue by week" in finance[finance.index('id="series-checks"') :]
    assert "Revenue by week" not in dispatcher
    assert "$52,000" not in dispatcher
