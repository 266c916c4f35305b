"""The Performance pages in Chromium: sign in as the office, pick March 2025, read a crew's
squares per crew-day with its definition on hover, and drill down to the jobs behind it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from roofops.config import Settings
from roofops.db import session_scope
from roofops.models import Role
from tests.factories import make_user
from tests.performance.world import build_crew_world
from tests.web.conftest import PASSWORD
from tests.web.live_server import browser_database, serve
from tests.web.signing_in import sign_in

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Live:
    url: str
    email: str
    crew_id: str
    job_numbers: frozenset[str]


@pytest.fixture(scope="module")
def live(
    database_url: str, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    with ExitStack() as stack:
        url = stack.enter_context(browser_database(database_url, tmp_path_factory.mktemp("perf")))
        with session_scope(url) as db:
            office = make_user(db, role=Role.OFFICE, password=PASSWORD)
            world = build_crew_world(db)
            found = Live(
                "",
                office.email,
                str(world.crew.id),
                frozenset({world.on_time.number, world.late.number}),
            )
        local = settings.model_copy(update={"database_url": url})
        server = stack.enter_context(serve(local, url))
        yield Live(server, found.email, found.crew_id, found.job_numbers)


def test_a_figure_drills_down_to_the_jobs_behind_it(
    page: Page, live: Live, console_errors: list[str]
) -> None:
    sign_in(page, live.url + "/performance", live.email)

    page.get_by_label("From").fill("2025-03-01")
    page.get_by_label("To (included)").fill("2025-03-31")
    page.get_by_role("button", name="Show").click()
    row = page.locator(f'tr[data-crew-id="{live.crew_id}"]')
    cell = row.locator('[data-cell="squares_per_crew_day"]')
    expect(cell).to_contain_text("7.1")
    heading = page.locator("#crews-table abbr", has_text="Squares per crew-day")
    expect(heading).to_have_attribute("title", re.compile("crew-days"))

    cell.get_by_role("link").click()
    expect(page.locator("#drill-title")).to_contain_text("Squares per crew-day")
    numbers = page.locator("#drill-table tbody tr").evaluate_all(
        "rows => rows.map(row => row.dataset.jobNumber)"
    )
    assert set(numbers) == live.job_numbers
    squares = page.locator('#drill-table [data-column="squares"]').all_inner_texts()
    days = page.locator('#drill-table [data-column="crew_days"]').all_inner_texts()
    assert sum(map(float, squares)) / sum(map(float, days)) == pytest.approx(50 / 7)

    page.locator("#drill-back").click()
    expect(page.locator(f'tr[data-crew-id="{live.crew_id}"]')).to_be_visible()
    assert console_errors == []
