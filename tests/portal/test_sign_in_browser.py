"""The portal's sign-in in Chromium on a 360 px phone: the homeowner asks for a link, follows
it from the local SMTP server's inbox, presses the one button and reads their job; the link
then refuses a second use. axe-core finds nothing serious on the sign-in pages."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page, expect

from roofops.config import Settings, get_settings
from roofops.db import session_scope
from roofops.portal.dependencies import PORTAL_COOKIE
from tests.portal.homeowners import email_and_address, homeowner
from tests.portal.mailed import LINK, mail_queued_links
from tests.portal.phone import PHONE, fits_the_phone, no_serious_violations
from tests.smtp import SmtpServer, running_smtp_server, send_settings_to
from tests.web.conftest import browser_type_launch_args  # noqa: F401 (the Chromium fixture)
from tests.web.live_server import browser_database, serve

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Live:
    url: str
    database_url: str
    email: str
    address: str


@pytest.fixture(scope="module")
def live(
    database_url: str, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    with browser_database(database_url, tmp_path_factory.mktemp("portal")) as url:
        with session_scope(url) as db:
            alice = homeowner(db, "Alice Anders")
            email, address = email_and_address(db, alice)
        with serve(settings.model_copy(update={"database_url": url}), url) as base:
            yield Live(base, url, email, address)


@pytest.fixture
def inbox(live: Live, monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    """Mail goes to a local SMTP server, and links point at the live server."""
    with running_smtp_server() as server:
        send_settings_to(server, monkeypatch, "Summit Roofing <office@summit.example>")
        monkeypatch.setattr(get_settings(), "base_url", live.url)
        yield server


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, locale="en-US")
    yield context.new_page()
    context.close()


def test_a_link_from_the_inbox_opens_the_job_once(
    phone: Page, live: Live, inbox: SmtpServer
) -> None:
    phone.goto(f"{live.url}/portal/sign-in")
    fits_the_phone(phone)
    no_serious_violations(phone)
    phone.get_by_label("Your e-mail address").fill(live.email.upper())
    phone.get_by_role("button", name="Send me a link").click()
    expect(phone.get_by_role("status")).to_contain_text("If that address has a project with us")

    mail_queued_links(live.database_url)
    [mail] = inbox.to(live.email)
    found = LINK.search(mail.get_content())
    assert found is not None
    phone.goto(found.group(0))
    fits_the_phone(phone)
    no_serious_violations(phone)
    assert not [c for c in phone.context.cookies() if c["name"] == PORTAL_COOKIE]
    phone.get_by_role("button", name="Open my project").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text(live.address)
    [cookie] = [c for c in phone.context.cookies() if c["name"] == PORTAL_COOKIE]
    assert (cookie["httpOnly"], cookie["path"]) == (True, "/portal")

    phone.goto(found.group(0))
    phone.get_by_role("button", name="Open my project").click()
    expect(phone.get_by_role("alert")).to_contain_text("expired or was already used")


def test_the_form_works_by_keyboard(phone: Page, live: Live) -> None:
    phone.goto(f"{live.url}/portal/sign-in")

    field = phone.get_by_label("Your e-mail address")
    for _ in range(6):
        if field.evaluate("el => el === document.activeElement"):
            break
        phone.keyboard.press("Tab")
    expect(field).to_be_focused()
    assert field.evaluate("el => getComputedStyle(el).outlineStyle") != "none"
    field.fill("nobody@example.com")
    phone.keyboard.press("Enter")

    expect(phone.get_by_role("status")).to_contain_text("If that address has a project with us")
