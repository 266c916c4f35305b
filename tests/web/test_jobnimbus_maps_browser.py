"""The status map in Chromium: a sync brings in a job whose JobNimbus status nobody mapped, the
page lists the status with its job, and one "Save and resync" maps it and runs the resync that
clears the flag."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from roofops.auth.principal import SYSTEM
from roofops.config import Settings
from roofops.db import session_scope
from roofops.integrations.jobnimbus.service import jobnimbus_service
from roofops.models import Role
from tests.factories import make_user
from tests.integrations.jobnimbus_account import API_KEY, UNKNOWN, serving
from tests.web import test_integrations_browser as integrations_page
from tests.web.conftest import PASSWORD
from tests.web.live_server import browser_database, serve
from tests.web.test_integrations_browser import Live, open_integrations
from tests.web.workers import background_worker

pytestmark = pytest.mark.browser
EMAIL = "morgan.admin@example.com"
SCREENSHOT_DIR = integrations_page.SCREENSHOT_DIR


@pytest.fixture(scope="module")
def live(
    database_url: str, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    with ExitStack() as stack:
        url = stack.enter_context(browser_database(database_url, tmp_path_factory.mktemp("maps")))
        account = stack.enter_context(serving())
        account.fresh()
        with session_scope(url) as db:
            make_user(db, role=Role.ADMIN, email=EMAIL, password=PASSWORD)
            jobnimbus_service.connect(db, settings, SYSTEM, API_KEY, base_url=account.url)
        stack.enter_context(background_worker(url))
        base = stack.enter_context(serve(settings.model_copy(update={"database_url": url}), url))
        yield Live(base, EMAIL)


def run_and_wait(page: Page, button: str, outcome: str) -> None:
    page.get_by_role("button", name=button).click()
    expect(page.locator("#sync-progress")).to_contain_text(f"Finished: {outcome}", timeout=15_000)


def test_an_unmapped_status_is_mapped_with_one_save_and_resync(
    page: Page, live: Live, console_errors: list[str]
) -> None:
    open_integrations(page, live)
    run_and_wait(page, "Sync now", "Partial")  # the job came in, flagged
    page.reload()
    expect(page.locator("#live-status")).to_have_text("Live")
    unmapped = page.locator(f'tr[data-unmapped-status="{UNKNOWN}"]')
    expect(unmapped).to_contain_text("Choose it under its workflow below")
    expect(unmapped.get_by_role("link")).to_have_count(1)  # the flagged job

    residential = page.locator('table[data-workflow="Residential"]')
    residential.get_by_label(f"Stage for {UNKNOWN}").select_option("materials_ordered")
    run_and_wait(page, "Save and resync the status map", "Succeeded")

    expect(page.locator("#status-map")).to_contain_text("A full resync is queued")
    page.reload()
    expect(page.locator("#unmapped-statuses")).to_have_count(0)
    expect(residential.get_by_label(f"Stage for {UNKNOWN}")).to_have_value("materials_ordered")
    if SCREENSHOT_DIR:
        page.screenshot(path=str(Path(SCREENSHOT_DIR) / "jobnimbus-maps.png"), full_page=True)
    assert console_errors == []
