"""The portal's sign-in in Chromium on a 360 px phone: a link opens a page with one button,
pressing it signs in and opens the job; asking for a new link answers the same for anyone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from roofops.auth.principal import COMMAND_LINE
from roofops.config import Settings
from roofops.db import session_scope
from roofops.models import PortalLinkOrigin
from roofops.portal.dependencies import PORTAL_COOKIE
from roofops.portal.links import portal_links
from tests.factories import make_job
from tests.web.live_server import browser_database, serve

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 740}


@dataclass(frozen=True)
class Live:
    url: str
    job_id: str
    token: str


@pytest.fixture(scope="module")
def live(
    database_url: str, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    with browser_database(database_url, tmp_path_factory.mktemp("portal")) as url:
        with session_scope(url) as db:
            job = make_job(db)
            issued = portal_links.issue(db, COMMAND_LINE, job.id, origin=PortalLinkOrigin.OFFICE)
            job_id, token = str(job.id), issued.raw_token
        with serve(settings.model_copy(update={"database_url": url}), url) as base:
            yield Live(base, job_id, token)


def fits_the_phone(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways ({width} px)"


def test_a_link_opens_the_job_after_one_press(page: Page, live: Live) -> None:
    page.set_viewport_size(PHONE)
    page.goto(f"{live.url}/portal/sign-in/{live.token}")
    fits_the_phone(page)
    assert not [c for c in page.context.cookies() if c["name"] == PORTAL_COOKIE]

    page.get_by_role("button", name="Open my project").click()

    expect(page).to_have_url(re.compile(rf"/portal/jobs/{live.job_id}$"))
    [cookie] = [c for c in page.context.cookies() if c["name"] == PORTAL_COOKIE]
    assert cookie["httpOnly"]
    assert cookie["path"] == "/portal"

    page.goto(f"{live.url}/portal/sign-in/{live.token}")
    page.get_by_role("button", name="Open my project").click()
    expect(page.get_by_role("alert")).to_contain_text("expired or was already used")


def test_asking_for_a_link_by_keyboard(page: Page, live: Live) -> None:
    page.set_viewport_size(PHONE)
    page.goto(f"{live.url}/portal/sign-in")
    fits_the_phone(page)

    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the brand
    page.keyboard.press("Tab")
    field = page.get_by_label("Your e-mail address")
    expect(field).to_be_focused()
    outline = field.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none"
    field.fill("nobody@example.com")
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_contain_text("If that address has a project with us")
