"""The homeowner's pages in Chromium on a 360 px phone: nothing scrolls sideways, every target
is 44 px tall, axe-core finds nothing serious, and a message goes out with a plain form."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page, expect

from roofops.config import Settings
from roofops.db import session_scope
from roofops.portal.dependencies import PORTAL_COOKIE
from roofops.portal.sessions import portal_sessions
from tests.portal.homeowners import email_and_address, homeowner
from tests.portal.phone import PHONE, fits_the_phone, no_serious_violations
from tests.web.conftest import browser_type_launch_args  # noqa: F401 (the Chromium fixture)
from tests.web.live_server import browser_database, serve

pytestmark = pytest.mark.browser
TARGETS = "main a, main button, main textarea, header a, header button"


@dataclass(frozen=True)
class Live:
    url: str
    cookie: str
    address: str


@pytest.fixture(scope="module")
def live(
    database_url: str, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    with browser_database(database_url, tmp_path_factory.mktemp("portal")) as url:
        with session_scope(url) as db:
            alice = homeowner(db, "Alice Anders")
            cookie = portal_sessions.open(db, alice.customer_id).raw_token
            _, address = email_and_address(db, alice)
        with serve(settings.model_copy(update={"database_url": url}), url) as base:
            yield Live(base, cookie, address)


@pytest.fixture
def phone(browser: Browser, live: Live) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, locale="en-US")
    context.add_cookies([{"name": PORTAL_COOKIE, "value": live.cookie, "url": live.url}])
    page = context.new_page()
    yield page
    context.close()


def _fits_the_phone(page: Page) -> None:
    """No sideways scroll, and every target a thumb can hit (44 px tall)."""
    fits_the_phone(page)
    short = page.evaluate(
        """() => [...document.querySelectorAll(TARGETS)]
            .filter(el => el.getBoundingClientRect().height < 44)
            .map(el => el.outerHTML.slice(0, 80))""".replace("TARGETS", repr(TARGETS))
    )
    assert short == []


def test_the_job_page_fits_a_phone_and_sends_a_message(phone: Page, live: Live) -> None:
    errors: list[str] = []
    phone.on("pageerror", lambda exc: errors.append(str(exc)))
    phone.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    phone.goto(f"{live.url}/portal/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Hello, Alice Anders")
    _fits_the_phone(phone)
    no_serious_violations(phone)
    phone.get_by_role("link", name=live.address).click()

    expect(phone.get_by_role("heading", level=1)).to_have_text(live.address)
    expect(phone.locator('[aria-current="step"]')).to_contain_text("Scheduled")
    expect(phone.locator("#crew")).to_contain_text("is on the way.")
    _fits_the_phone(phone)
    no_serious_violations(phone)

    phone.get_by_label("Your message").fill("Can the crew park on the street?")
    phone.get_by_role("button", name="Send message").click()
    expect(phone.get_by_role("status").filter(has_text="sent")).to_contain_text(
        "Your message was sent."
    )
    no_serious_violations(phone)
    assert errors == []
