"""The Command Center in Chromium: the map draws today's work, and a crew's report shows up
on the page live, without a reload (one server; two servers: test_command_center_two_processes)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from roofops.config import Settings
from roofops.db import session_scope
from roofops.field.service import field_service
from roofops.models.enums import Role
from roofops.models.field import FieldStatus
from tests.operations.conftest import viewer
from tests.web.command_center_data import DISPATCHER_EMAIL, CrewDay, seed_crew_day
from tests.web.live_server import browser_database, serve
from tests.web.signing_in import sign_in

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Live:
    url: str
    database_url: str
    day: CrewDay


@pytest.fixture(scope="module")
def live(
    database_url: str, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    with browser_database(database_url, tmp_path_factory.mktemp("command-center")) as url:
        with session_scope(url) as db:
            day = seed_crew_day(db)
        with serve(settings.model_copy(update={"database_url": url}), url) as base:
            yield Live(base, url, day)


def test_a_crew_report_reaches_the_page_live_and_the_map_draws_the_site(
    page: Page, live: Live, console_errors: list[str]
) -> None:
    sign_in(page, live.url + "/command-center", DISPATCHER_EMAIL)
    expect(page.locator("#live-status")).to_have_text("Live")
    expect(page.locator('li.ops-crew[data-state="scheduled"]')).to_have_count(1)
    expect(page.locator("#ops-map")).to_have_attribute("data-markers", "2")  # the site, the yard
    expect(page.locator("#ops-map path.leaflet-interactive")).to_have_count(2)
    page.evaluate("window.notReloaded = true")
    time.sleep(0.3)  # the server registers the stream's subscription just after it opens

    with session_scope(live.database_url) as db:
        reporter = viewer(db, Role.DISPATCHER)
        crew_id, job_id = uuid.UUID(live.day.crew_id), uuid.UUID(live.day.job_id)
        field_service.report(db, reporter, crew_id, job_id, FieldStatus.BLOCKED, note="no drip")

    row = page.locator(f'li.ops-crew[data-crew-id="{live.day.crew_id}"]')
    expect(row).to_have_attribute("data-state", "blocked", timeout=2000)
    expect(row).to_contain_text("no drip")
    assert page.evaluate("window.notReloaded") is True
    assert console_errors == []
