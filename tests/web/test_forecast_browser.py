"""The Forecast pages in Chromium: crew demand draws its band against capacity with the
shortfall and idle weeks marked and readable in the table behind the chart; a job page reads
its predicted window and what it rests on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from roofops.config import Settings
from roofops.db import session_scope
from roofops.models import Role
from roofops.models.enums import JobStage
from tests.factories import make_job, make_user
from tests.web.conftest import PASSWORD
from tests.web.forecast_data import sample_outputs, store_run
from tests.web.live_server import browser_database, serve
from tests.web.signing_in import sign_in

pytestmark = pytest.mark.browser

EMAIL = "fran.forecast@example.com"


@dataclass(frozen=True)
class Live:
    url: str
    job_id: str


@pytest.fixture(scope="module")
def live(
    database_url: str, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    with ExitStack() as stack:
        url = stack.enter_context(
            browser_database(database_url, tmp_path_factory.mktemp("forecast"))
        )
        with session_scope(url) as db:
            make_user(db, role=Role.DISPATCHER, email=EMAIL, password=PASSWORD)
            scheduled = make_job(db, stage=JobStage.SCHEDULED, number="FB-1", name="Elm reroof")
            production = make_job(db, stage=JobStage.IN_PRODUCTION, number="FB-2")
            store_run(db, sample_outputs(scheduled, production), as_of=date(2026, 12, 1))
            job_id = str(scheduled.id)
        base = stack.enter_context(serve(settings.model_copy(update={"database_url": url}), url))
        yield Live(base, job_id)


def test_demand_shows_band_capacity_and_flagged_weeks(
    page: Page, live: Live, console_errors: list[str]
) -> None:
    sign_in(page, f"{live.url}/forecast/demand", EMAIL, back=False)

    expect(page.get_by_role("heading", name="Crew demand", exact=True)).to_be_visible()
    chart = page.get_by_role("img", name="Shingle demand")
    expect(chart).to_be_visible()
    expect(chart.locator("path.chart-band")).to_have_count(1)
    expect(chart.locator("polyline.chart-capacity")).to_have_count(1)
    expect(chart.locator("circle.chart-flagged")).to_have_count(2)
    table = page.locator('table[data-chart-table="chart-demand-crew-hours-shingle"]')
    expect(table).to_be_hidden()
    page.get_by_text("Figures as a table").first.click()
    second_week = table.locator("tbody tr").nth(1)
    expect(second_week).to_contain_text("180 h")
    expect(second_week).to_contain_text("150 h")
    expect(second_week).to_contain_text("Shortfall or idle")
    assert console_errors == []


def test_a_job_page_reads_its_window_and_what_it_rests_on(
    page: Page, live: Live, console_errors: list[str]
) -> None:
    sign_in(page, f"{live.url}/jobs/{live.job_id}", EMAIL, back=False)

    block = page.locator("#job-forecast")
    expect(block.get_by_role("heading", name="Predicted start / completion")).to_be_visible()
    expect(page.locator("#forecast-finish")).to_contain_text("Jan 20, 2027")
    expect(page.locator("#forecast-finish")).to_contain_text("(Jan 15 \u2013 Feb 1)")
    expect(page.locator("#forecast-start")).to_contain_text("Jan 4, 2027")
    expect(page.locator("#forecast-basis")).to_have_text(
        "Based on 412 similar jobs; in Scheduled for 9 days; backlog 3.5 jobs per crew; "
        "winter season."
    )
    assert console_errors == []
