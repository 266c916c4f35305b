"""The issue's whole journey in Chromium: the office sends the portal link from the job page;
the homeowner, on a 360 px phone, follows it from the local SMTP server's inbox, sees the
timeline, the invoice status and the predicted window, and writes to the office; the office
finds the message in the job's activity feed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from roofops.config import Settings, get_settings
from roofops.db import session_scope
from roofops.models import Role
from roofops.portal.job_view import day_words
from tests.factories import make_user
from tests.portal.homeowners import email_and_address, homeowner, predict_install, today
from tests.portal.mailed import LINK, mail_queued_links
from tests.portal.phone import PHONE, fits_the_phone, no_serious_violations
from tests.smtp import SmtpServer, running_smtp_server, send_settings_to
from tests.web.conftest import (
    PASSWORD,
    browser_type_launch_args,  # noqa: F401 (the Chromium fixture)
)
from tests.web.live_server import browser_database, free_port, serve
from tests.web.signing_in import sign_in

pytestmark = pytest.mark.browser
OFFICE = "olga@summit.example"
MESSAGE = "Can the crew park on the street on Monday?"


@dataclass(frozen=True)
class Live:
    url: str
    database_url: str
    job_path: str
    email: str
    address: str
    install_words: str  # the predicted install day as the portal writes it


@pytest.fixture(scope="module")
def live(
    database_url: str, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    with browser_database(database_url, tmp_path_factory.mktemp("journey")) as url:
        with session_scope(url) as db:
            make_user(db, role=Role.OFFICE, email=OFFICE, password=PASSWORD)
            alice = homeowner(db, "Alice Anders", scheduled=False)  # a window, not crew days
            install = today(db) + timedelta(days=20)
            predict_install(db, alice.job, install)
            email, address = email_and_address(db, alice)
            seeded = (f"/jobs/{alice.job.id}", email, address, day_words(install))
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        served = settings.model_copy(update={"database_url": url, "base_url": base_url})
        with serve(served, url, port=port) as base:
            yield Live(base, url, *seeded)


@pytest.fixture
def inbox(live: Live, monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    with running_smtp_server() as server:
        send_settings_to(server, monkeypatch, "Summit Roofing <office@summit.example>")
        monkeypatch.setattr(get_settings(), "base_url", live.url)
        yield server


def office_page(browser: Browser, live: Live) -> Page:
    page = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
    sign_in(page, f"{live.url}{live.job_path}", OFFICE)
    return page


def phone_page(browser: Browser) -> Page:
    return browser.new_context(viewport=PHONE, locale="en-US").new_page()


def test_office_sends_homeowner_follows_reads_and_writes_back(
    browser: Browser, live: Live, inbox: SmtpServer
) -> None:
    office = office_page(browser, live)
    office.locator("#send-portal-link").click()
    expect(office.locator("#portal-links-notice")).to_be_visible()
    mail_queued_links(live.database_url)  # the test app runs no worker: run the queued mail task
    [mail] = inbox.to(live.email)
    link = LINK.search(mail.get_content())
    assert link is not None

    phone = phone_page(browser)
    phone.goto(link.group(0))
    phone.get_by_role("button", name="Open my project").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text(live.address)
    fits_the_phone(phone)
    no_serious_violations(phone)

    expect(phone.locator('#timeline [aria-current="step"]')).to_contain_text("Materials ordered")
    expect(phone.locator("#money .portal-badge").first).to_be_visible()
    expect(phone.locator("#money")).to_contain_text(re.compile(r"Due|Paid"))
    expect(phone.locator("#when")).to_contain_text(f"most likely {live.install_words}")
    expect(phone.locator("#when")).to_contain_text("80% of similar jobs")

    phone.get_by_label("Your message").fill(MESSAGE)
    phone.get_by_role("button", name="Send message").click()
    expect(phone.get_by_role("status").filter(has_text="sent")).to_be_visible()

    office.reload()
    entry = office.locator("#activity").get_by_text(MESSAGE)
    expect(entry).to_be_visible()
    expect(office.locator("#activity")).to_contain_text("Message from the customer")
