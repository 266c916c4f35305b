"""Two people in two browsers: a note with an @mention appears live in the other's feed, and
the mentioned person's bell shows it, without a reload."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page, expect

from roofops.config import Settings
from roofops.db import session_scope
from roofops.models import Role
from tests.factories import make_job, make_user
from tests.web.conftest import PASSWORD
from tests.web.live_server import browser_database, serve
from tests.web.signing_in import sign_in

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Live:
    url: str
    job_path: str


@pytest.fixture(scope="module")
def live(
    database_url: str, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    with browser_database(database_url, tmp_path_factory.mktemp("activity")) as url:
        with session_scope(url) as db:
            writer = make_user(db, role=Role.OFFICE, email="wes@summit.example", password=PASSWORD)
            writer.full_name = "Wes Writer"
            olivia = make_user(
                db, role=Role.DISPATCHER, email="olivia@summit.example", password=PASSWORD
            )
            olivia.full_name = "Olivia Dispatch"
            job_path = f"/jobs/{make_job(db, number='R-77').id}"
        with serve(settings.model_copy(update={"database_url": url}), url) as base:
            yield Live(base, job_path)


def signed_in(browser: Browser, live: Live, email: str) -> Page:
    page = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
    sign_in(page, f"{live.url}{live.job_path}", email)
    expect(page.locator("#activity-live")).to_have_text("Live")  # the feed's stream is open
    return page


def test_a_mention_shows_live_in_the_feed_and_on_the_bell(browser: Browser, live: Live) -> None:
    olivia = signed_in(browser, live, "olivia@summit.example")
    errors: list[str] = []
    olivia.on("pageerror", lambda exc: errors.append(str(exc)))
    expect(olivia.locator("#notification-count")).to_have_count(0)
    wes = signed_in(browser, live, "wes@summit.example")

    wes.get_by_label("Add a note").fill("@olivia the tarp is up, can you call the homeowner?")
    wes.get_by_role("button", name="Add note").click()
    expect(wes.locator("#note-added")).to_contain_text("Note added.")
    expect(wes.get_by_label("Add a note")).to_have_value("")

    note = olivia.locator("#activity-entries > li").first
    expect(note).to_contain_text("the tarp is up", timeout=5000)
    expect(note.locator("mark.mention")).to_have_text("@olivia")
    expect(note).to_contain_text("Wes Writer")
    expect(olivia.locator("#notification-count")).to_have_text("1", timeout=5000)
    expect(olivia.locator("#notification-bell")).to_have_attribute(
        "aria-label", "Notifications, 1 unread"
    )
    expect(wes.locator("#notification-count")).to_have_count(0)  # the writer was not told

    olivia.locator("#notification-bell").click()
    expect(
        olivia.get_by_role("button", name=re.compile("Wes Writer mentioned you"))
    ).to_be_visible()
    olivia.get_by_role("button", name=re.compile("Wes Writer mentioned you")).click()
    expect(olivia).to_have_url(re.compile(re.escape(live.job_path) + "#activity-"))
    expect(olivia.locator("#notification-count")).to_have_count(0)
    assert errors == []
