"""Connecting QuickBooks in Chromium against a live demo company: "Connect QuickBooks" runs the
real authorization-code flow through the demo's sandbox (its consent screen approves at once)
and the browser lands back on Settings > Integrations, connected. Nothing is pre-connected."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, Response, expect

from roofops.config import Settings
from roofops.db import session_scope
from roofops.kit.time import utcnow
from roofops.models import Role
from roofops.sandbox.demo import build_demo
from roofops.sandbox.quickbooks.sandbox import SANDBOX_COMPANY_NAME, SANDBOX_PATH
from tests.web.live_server import browser_database, free_port, serve
from tests.web.signing_in import sign_in

pytestmark = pytest.mark.browser

# A small demo company (~150 jobs): the sandbox builds its books in a second or two.
SIZE, SEED, AS_OF = 0.05, 7, utcnow().date()
CONNECT_TIMEOUT = 15_000
# Set to a directory to keep a screenshot of the connected card (for reviews).
SCREENSHOT_DIR = os.environ.get("ROOFOPS_SCREENSHOT_DIR", "")


@dataclass(frozen=True)
class Live:
    url: str
    email: str
    password: str


@pytest.fixture(scope="module")
def live(
    database_url: str, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    """The sandbox lives under the server's own URL, and the OAuth redirect URI is built from
    ``base_url``: the settings name the port before the server starts."""
    with ExitStack() as stack:
        url = stack.enter_context(browser_database(database_url, tmp_path_factory.mktemp("qbo")))
        with session_scope(url) as db:
            demo = build_demo(db, size=SIZE, seed=SEED, as_of=AS_OF)
        admin = next(user for user in demo.users if user.role == Role.ADMIN)
        assert admin.password is not None
        port = free_port()
        local = settings.model_copy(
            update={"database_url": url, "base_url": f"http://127.0.0.1:{port}"}
        )
        base = stack.enter_context(serve(local, url, port=port))
        yield Live(base, admin.email, admin.password)


def test_connect_quickbooks_runs_the_oauth_flow_through_the_sandbox(
    page: Page, live: Live, console_errors: list[str]
) -> None:
    sign_in(page, live.url + "/settings/integrations", live.email, live.password)

    card = page.locator("#quickbooks")
    expect(card.locator("[data-connection-status]")).to_have_text("Not configured")
    expect(card).to_contain_text("Demo sandbox")
    visited: list[str] = []  # every hop of a navigation, redirects included
    page.on("request", lambda r: visited.append(r.url) if r.is_navigation_request() else None)

    with page.expect_response(lambda r: r.url.endswith("/quickbooks/connect")) as started:
        card.get_by_role("button", name="Connect QuickBooks").click()
    response: Response = started.value
    assert response.status == 204  # htmx navigates to the consent URL itself (HX-Redirect)
    assert f"{SANDBOX_PATH}/connect/oauth2?" in response.headers["hx-redirect"]

    expect(page).to_have_url(
        live.url + "/settings/integrations?saved=quickbooks-connected", timeout=CONNECT_TIMEOUT
    )
    # The browser itself went through the sandbox's consent screen and the callback page.
    hops = [re.sub(r"\?.*", "", url.removeprefix(live.url)) for url in visited]
    consent = hops.index(f"{SANDBOX_PATH}/connect/oauth2")
    assert hops[consent + 1 : consent + 3] == [
        "/integrations/quickbooks/callback",
        "/settings/integrations",
    ]
    expect(page.get_by_role("status").filter(has_text="QuickBooks is connected")).to_be_visible()
    card = page.locator("#quickbooks")
    expect(card.locator("[data-connection-status]")).to_have_text("Connected")
    expect(card.locator("#quickbooks-company")).to_contain_text(SANDBOX_COMPANY_NAME)
    expect(card).to_contain_text("Demo sandbox")
    expect(card.get_by_role("button", name="Disconnect")).to_be_visible()
    expect(card.get_by_role("button", name="Connect QuickBooks")).to_have_count(0)
    if SCREENSHOT_DIR:
        card.screenshot(path=str(Path(SCREENSHOT_DIR) / "qb_card.png"))

    page.once("dialog", lambda dialog: dialog.accept())
    card.get_by_role("button", name="Disconnect").click()
    expect(page).to_have_url(re.compile(r"saved=quickbooks-disconnected"))
    card = page.locator("#quickbooks")
    expect(card.locator("[data-connection-status]")).to_have_text("Disconnected")
    expect(card.get_by_role("button", name="Connect QuickBooks")).to_be_visible()
    assert console_errors == []
