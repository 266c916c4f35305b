"""Connecting Xero in Chromium against a live demo company, then syncing: "Connect Xero" runs the
real authorization-code flow through the demo's sandbox Xero (its consent page lists the sandbox
organisation; Allow access sends the browser back), the card shows it connected, and the Profit
page's "Sync all from Xero" turns a job's figures into figures from Xero."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, Response, expect

from roofops.config import Settings
from roofops.db import session_scope
from roofops.demo.generator import generate
from roofops.kit.time import utcnow
from roofops.models import Role
from roofops.sandbox.demo import build_demo
from roofops.sandbox.quickbooks.books import build_books
from roofops.sandbox.xero.sandbox import SANDBOX_ORGANISATION, SANDBOX_PATH
from tests.web.live_server import browser_database, free_port, serve
from tests.web.signing_in import sign_in
from tests.web.workers import background_worker

pytestmark = pytest.mark.browser

SIZE, SEED, AS_OF = 0.05, 7, utcnow().date()
CONNECT_TIMEOUT = 15_000
SYNC_TIMEOUT = 30_000


@dataclass(frozen=True)
class Live:
    url: str
    email: str
    password: str
    synced_job: str  # a job with invoices and bills in the sandbox books


@pytest.fixture(scope="module")
def live(
    database_url: str, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    with ExitStack() as stack:
        url = stack.enter_context(browser_database(database_url, tmp_path_factory.mktemp("xero")))
        with session_scope(url) as db:
            demo = build_demo(db, size=SIZE, seed=SEED, as_of=AS_OF)
        admin = next(user for user in demo.users if user.role == Role.ADMIN)
        assert admin.password is not None
        stack.enter_context(background_worker(url))
        port = free_port()
        local = settings.model_copy(
            update={"database_url": url, "base_url": f"http://127.0.0.1:{port}"}
        )
        base = stack.enter_context(serve(local, url, port=port))
        books = build_books(generate(SIZE, SEED, AS_OF))
        numbers = [n for n, ledger in books.jobs.items() if ledger.invoices and ledger.bills]
        yield Live(base, admin.email, admin.password, numbers[-1])


def test_connect_xero_in_the_sandbox_and_sync(
    page: Page, live: Live, console_errors: list[str]
) -> None:
    sign_in(page, live.url + "/settings/integrations", live.email, live.password)
    card = page.locator("#xero")
    expect(card.locator("[data-connection-status]")).to_have_text("Not configured")
    expect(card).to_contain_text("Demo sandbox")

    with page.expect_response(lambda r: r.url.endswith("/xero/connect")) as started:
        card.get_by_role("button", name="Connect Xero").click()
    response: Response = started.value
    assert response.status == 204  # htmx navigates to the consent URL itself (HX-Redirect)
    assert f"{SANDBOX_PATH}/identity/connect/authorize?" in response.headers["hx-redirect"]
    expect(page.get_by_text(SANDBOX_ORGANISATION)).to_be_visible(timeout=CONNECT_TIMEOUT)
    page.get_by_role("button", name="Allow access").click()

    expect(page).to_have_url(
        re.compile(r"/settings/integrations\?saved=xero-connected"), timeout=CONNECT_TIMEOUT
    )
    card = page.locator("#xero")
    expect(card.locator("[data-connection-status]")).to_have_text("Connected")
    expect(card.locator("#xero-organisation")).to_contain_text(SANDBOX_ORGANISATION)
    expect(card.get_by_role("button", name="Disconnect")).to_be_visible()
    # QuickBooks, the other books, now refuses to connect: the card says why.
    qb = page.locator("#quickbooks")
    with page.expect_response(lambda r: r.url.endswith("/quickbooks/connect")) as refused:
        qb.get_by_role("button", name="Connect QuickBooks").click()
    assert refused.value.status == 409
    expect(page.locator("#quickbooks-error")).to_contain_text("Xero is already connected")

    page.goto(live.url + "/profit")
    expect(page.locator("#live-status")).to_have_text("Live")
    page.get_by_label("Search").fill(live.synced_job)
    expect(page.locator("#profit-table tbody.profit-job")).to_have_count(1)
    row = page.locator(f'tbody.profit-job[data-job-number="{live.synced_job}"]')
    button = page.get_by_role("button", name="Sync all from Xero")
    button.click()
    progress = page.locator("#profit-sync-progress")
    expect(progress).to_contain_text("Finished: Succeeded", timeout=SYNC_TIMEOUT)
    costs = row.locator('td[data-figure="costs"] [data-source]')
    expect(costs).to_have_attribute("data-source", "xero", timeout=SYNC_TIMEOUT)
    expect(row.locator('td[data-figure="invoiced"]')).to_contain_text("$")
    # The refused Connect QuickBooks (409) is logged by Chromium, as is the favicon the sandbox's
    # consent page lacks; nothing else may be.
    expected = ("/quickbooks/connect", "/favicon.ico")
    assert [e for e in console_errors if not any(hint in e for hint in expected)] == []
