"""Settings > Integrations in Chromium: "Sync now" runs a real sync against the JobNimbus fake,
its progress arrives over SSE, and the run history refreshes without a page reload."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from roofops.auth.principal import SYSTEM
from roofops.config import Settings
from roofops.db import session_scope
from roofops.integrations.jobnimbus.service import jobnimbus_service
from roofops.models import Role
from roofops.sandbox.jobnimbus.demo_data import demo_store
from roofops.sandbox.jobnimbus.fake import create_fake_app, serve_fake
from tests.factories import make_user
from tests.web.conftest import PASSWORD
from tests.web.live_server import browser_database, serve
from tests.web.signing_in import sign_in
from tests.web.workers import background_worker

pytestmark = pytest.mark.browser

API_KEY = "jn-browser-key-5d0c7a"
EMAIL = "alex.admin@example.com"
FAKE_JOBS = 60
# Set to a directory to keep a screenshot of the page with its sync history (for reviews).
SCREENSHOT_DIR = os.environ.get("ROOFOPS_SCREENSHOT_DIR", "")


@dataclass(frozen=True)
class Live:
    url: str
    email: str


@pytest.fixture(scope="module")
def live(
    database_url: str, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    fake_app = create_fake_app(demo_store(FAKE_JOBS), api_key=API_KEY)
    with ExitStack() as stack:
        tmp = tmp_path_factory.mktemp("integrations")
        url = stack.enter_context(browser_database(database_url, tmp))
        fake_url = stack.enter_context(serve_fake(fake_app))
        with session_scope(url) as db:
            user = make_user(db, role=Role.ADMIN, email=EMAIL, password=PASSWORD)
            user.full_name = "Alex Admin"
            jobnimbus_service.connect(db, settings, SYSTEM, API_KEY, base_url=fake_url)
        stack.enter_context(background_worker(url))
        base = stack.enter_context(serve(settings.model_copy(update={"database_url": url}), url))
        yield Live(base, EMAIL)


def open_integrations(page: Page, live: Live) -> None:
    sign_in(page, live.url + "/settings", live.email)
    sections = page.get_by_role("navigation", name="Settings sections")
    sections.get_by_role("link", name="Integrations").click()
    expect(page).to_have_url(live.url + "/settings/integrations")
    # Progress arrives over SSE: wait until the stream is open before starting a sync.
    expect(page.locator("#live-status")).to_have_text("Live")


def sync_and_wait(page: Page, button: str, runs_before: int) -> Locator:
    page.get_by_role("button", name=button).click()
    progress = page.locator("#sync-progress")
    expect(progress).to_be_visible()
    expect(progress).to_contain_text("Finished: Succeeded", timeout=12_000)
    rows = page.locator("#runs-table tbody tr[data-run-id]")
    expect(rows).to_have_count(runs_before + 1)
    expect(page.get_by_role("button", name=button)).to_be_enabled()
    return rows.first


def test_sync_now_shows_progress_and_the_run_appears(
    page: Page, live: Live, console_errors: list[str]
) -> None:
    open_integrations(page, live)
    status = page.locator("#jobnimbus-status")
    expect(status).to_contain_text("Connected")
    expect(status).to_contain_text(f"…{API_KEY[-4:]}")
    expect(page.locator("#jobnimbus-last-success")).to_have_text("—")
    expect(page.locator("#sync-runs")).to_contain_text("No syncs yet")

    run = sync_and_wait(page, "Sync now", runs_before=0)
    expect(run).to_contain_text("Full")  # a first sync has no cursor: it reads everything
    expect(run).to_contain_text("Alex Admin")
    expect(run).to_contain_text("Succeeded")
    created = run.locator("td").nth(7)  # Started, Kind, By, Status, Duration, Requests, Fetched
    expect(created).not_to_have_text("0")
    # The finished run also refreshed the connection facts, out of band.
    expect(page.locator("#jobnimbus-last-success")).not_to_have_text("—")

    resync = sync_and_wait(page, "Full resync", runs_before=1)
    expect(resync).to_contain_text("Full")
    if SCREENSHOT_DIR:
        page.screenshot(path=str(Path(SCREENSHOT_DIR) / "integrations.png"), full_page=True)
    assert console_errors == []


def test_status_map_changes_in_place(page: Page, live: Live, console_errors: list[str]) -> None:
    open_integrations(page, live)
    page.get_by_label("JobNimbus status").fill("Waiting on HOA")
    page.locator("#new-status-stage").select_option("estimate")
    page.get_by_role("button", name="Add status").click()
    expect(page.locator("#status-map")).to_contain_text("Status map saved")
    row = page.locator('tr[data-status-name="Waiting on HOA"]')
    expect(row.get_by_label("Stage for Waiting on HOA")).to_have_value("estimate")
    row.get_by_label("Stage for Waiting on HOA").select_option("lost")
    row.get_by_role("button", name="Save").click()
    # Only the server's answer marks the option selected (picking it sets the property alone).
    expect(row.locator('option[value="lost"]')).to_have_attribute("selected", "")
    row.get_by_role("button", name="Remove").click()
    expect(row).to_have_count(0)
    assert console_errors == []
