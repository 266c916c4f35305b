"""The crew page in Chromium at phone width (360 px): the lead starts a job and finishes for
the day with the big buttons; the card and the crew's state follow without a reload, and
nothing on the page is wider than the phone."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from roofops.config import Settings
from roofops.db import session_scope
from roofops.field.service import field_service
from roofops.models import Role
from tests.factories import make_crew, make_user
from tests.field.world import planned_job
from tests.web.conftest import PASSWORD
from tests.web.live_server import browser_database, serve
from tests.web.signing_in import sign_in

pytestmark = pytest.mark.browser

EMAIL = "carla.crewlead@example.com"
PHONE = {"width": 360, "height": 740}
# Set to a directory to keep a screenshot of the page (for reviews).
SCREENSHOT_DIR = os.environ.get("ROOFOPS_SCREENSHOT_DIR", "")


@dataclass(frozen=True)
class Live:
    url: str
    job_number: str


@pytest.fixture(scope="module")
def live(
    database_url: str, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    with ExitStack() as stack:
        url = stack.enter_context(browser_database(database_url, tmp_path_factory.mktemp("crew")))
        with session_scope(url) as db:
            lead = make_user(db, role=Role.CREW_LEAD, email=EMAIL, password=PASSWORD)
            crew = make_crew(db)
            crew.lead_name = lead.full_name
            job_number = planned_job(db, crew, field_service.today(db)).number
        base = stack.enter_context(serve(settings.model_copy(update={"database_url": url}), url))
        yield Live(base, job_number)


def test_the_lead_starts_and_finishes_a_job_on_a_phone(
    page: Page, live: Live, console_errors: list[str]
) -> None:
    page.set_viewport_size(PHONE)
    sign_in(page, f"{live.url}/crew", EMAIL, back=False)

    card = page.locator(f'article.crew-job[data-job-number="{live.job_number}"]')
    state = page.locator("#crew-state")
    expect(card).to_be_visible()
    expect(state).to_have_attribute("data-state", "scheduled")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    start = card.get_by_role("button", name="Start work")
    box = start.bounding_box()
    assert box is not None
    assert box["height"] >= 48  # a thumb in a glove

    url_before = page.url
    start.click()
    expect(card).to_have_attribute("data-status", "on_site")
    expect(state).to_have_attribute("data-state", "on_site")
    expect(card.get_by_role("status")).to_have_text(re.compile("office sees it"))

    card.get_by_role("button", name="Finish for today").click()
    expect(card).to_have_attribute("data-status", "finished")
    expect(state).to_have_attribute("data-state", "finished")
    assert page.url == url_before  # swapped in place, no reload
    if SCREENSHOT_DIR:
        page.screenshot(path=f"{SCREENSHOT_DIR}/crew-page-360.png", full_page=True)
    assert console_errors == []
