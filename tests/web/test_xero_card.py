"""The Xero card on Settings > Integrations through TestClient, against the fake Xero over HTTP:
Connect through the consent page with the state checked, the organisation choice, a rotated
refresh token surviving a restart, Disconnect, audit entries, no token in the page, and the
one-accounting-system rule."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy.orm import Session, sessionmaker

from roofops.auth.principal import SYSTEM
from roofops.config import Settings
from roofops.integrations.core.accounting import OtherBooksConnected
from roofops.integrations.core.credentials import read_credentials, secret_box
from roofops.integrations.core.repository import SyncCursorRepository
from roofops.integrations.quickbooks.connection import quickbooks_connection
from roofops.integrations.xero.connection import XeroConnection, xero_connection
from roofops.integrations.xero.sync_service import xero_sync
from roofops.kit.crypto import sha256_hex
from roofops.kit.http import RateLimiter
from roofops.models import AuditLog, ConnectionStatus, IntegrationConnection, Provider, Role
from roofops.sandbox.xero.fake import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from tests.fakes import SwappableApp
from tests.sandbox.xero.harness import XeroHarness, fresh_xero, session_server
from tests.web.conftest import Browser

PAGE = "/settings/integrations"
CONNECT = f"{PAGE}/xero/connect"
CHOOSE = f"{PAGE}/xero/organisation"
DISCONNECT = f"{PAGE}/xero/disconnect"
CALLBACK = "/integrations/xero/callback"
SignIn = Callable[[Role], Browser]


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[SwappableApp, str]]:
    with session_server() as served:
        yield served


@pytest.fixture
def xero(server: tuple[SwappableApp, str], monkeypatch: pytest.MonkeyPatch) -> XeroHarness:
    harness = fresh_xero(server)
    # Token and state dates follow the fake's clock, so that expiry is the fake's.
    monkeypatch.setattr(xero_connection, "clock", harness.clock)
    return harness


@pytest.fixture
def local(settings: Settings, xero: XeroHarness) -> Settings:
    values: dict[str, Any] = {
        "base_url": "http://testserver",
        "xero_client_id": DEFAULT_CLIENT_ID,
        "xero_client_secret": SecretStr(DEFAULT_CLIENT_SECRET),
        "xero_authorize_url": f"{xero.url}/identity/connect/authorize",
        "xero_token_url": f"{xero.url}/connect/token",
        "xero_revoke_url": f"{xero.url}/connect/revocation",
        "xero_base_url": xero.url,
    }
    return settings.model_copy(update=values)


@pytest.fixture
def app(local: Settings, session_maker: sessionmaker[Session]) -> FastAPI:
    from roofops.app import create_app

    return create_app(local, session_maker, run_background=False)


def card(html: str) -> str:
    match = re.search(r'<section class="card" id="xero".*?</section>', html, re.DOTALL)
    assert match, "no Xero card on the page"
    return match.group(0)


def row(db: Session) -> IntegrationConnection:
    db.expire_all()
    query = sa.select(IntegrationConnection).where(IntegrationConnection.provider == Provider.XERO)
    return db.scalars(query).one()


def consent(url: str, tenant_ids: list[str]) -> str:
    """Tick the organisations on the fake's consent page and allow: where it sends us back."""
    page = httpx.get(url)
    assert page.status_code == 200
    assert "allow access" in page.text
    fields = {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}
    back = httpx.post(url.split("?", maxsplit=1)[0], data={**fields, "tenant": tenant_ids})
    assert back.status_code == 302
    return str(back.headers["location"])


def connect(browser: Browser, tenant_ids: list[str]) -> httpx.Response:
    started = browser.post(CONNECT)
    assert started.status_code == 303, started.text
    back = urlsplit(consent(started.headers["location"], tenant_ids))
    assert back.path == CALLBACK
    landed: httpx.Response = browser.client.get(f"{back.path}?{back.query}", follow_redirects=False)
    return landed


def actions(db: Session) -> list[str]:
    return list(db.scalars(sa.select(AuditLog.action).where(AuditLog.action.like("xero.%"))))


def test_connect_one_organisation_lands_connected_without_a_token_on_the_page(
    sign_in: SignIn, db: Session, local: Settings, xero: XeroHarness
) -> None:
    browser = sign_in(Role.ADMIN)
    before = card(browser.client.get(PAGE).text)
    assert ">Connect Xero</button>" in before
    assert f"<code>http://testserver{CALLBACK}</code>" in before

    landed = connect(browser, [xero.roofing.tenant_id])

    assert landed.status_code == 303
    page = browser.client.get(landed.headers["location"]).text
    assert "Xero is connected." in page
    xero_card = card(page)
    assert 'data-connection-status="connected"' in xero_card
    assert xero.roofing.name in xero_card
    assert f'action="{DISCONNECT}"' in xero_card
    stored = read_credentials(secret_box(local), row(db))
    for secret in (stored["access_token"], stored["refresh_token"], DEFAULT_CLIENT_SECRET):
        assert secret not in page
    assert row(db).account_id == xero.roofing.tenant_id
    assert row(db).options["oauth_states"] == []  # the state was used up
    assert actions(db) == ["xero.connected"]
    assert xero_sync.problem(db, local) == ""


def test_the_state_is_checked_and_works_once(
    sign_in: SignIn, db: Session, xero: XeroHarness
) -> None:
    browser = sign_in(Role.ADMIN)
    started = browser.post(CONNECT)
    state = parse_qs(urlsplit(started.headers["location"]).query)["state"][0]
    assert [e["hash"] for e in row(db).options["oauth_states"]] == [sha256_hex(state)]
    back = urlsplit(consent(started.headers["location"], [xero.roofing.tenant_id]))
    forged = back.query.replace(f"state={state}", "state=forged")

    refused = browser.client.get(f"{CALLBACK}?{forged}", follow_redirects=False)
    assert refused.status_code == 400
    assert "not valid any more" in refused.text
    assert row(db).status != ConnectionStatus.CONNECTED


def test_two_organisations_wait_for_the_admin_to_choose(
    sign_in: SignIn, db: Session, local: Settings, xero: XeroHarness
) -> None:
    browser = sign_in(Role.ADMIN)
    both = [xero.roofing.tenant_id, xero.holdings.tenant_id]

    assert connect(browser, both).status_code == 303

    assert "choose one" in xero_sync.problem(db, local)
    waiting = card(browser.client.get(PAGE).text)
    assert "Choose the organisation to sync" in waiting
    assert xero.holdings.name in waiting
    chosen = browser.post(CHOOSE, data={"tenant_id": xero.holdings.tenant_id})
    assert chosen.status_code == 303
    assert row(db).account_id == xero.holdings.tenant_id
    assert row(db).account_name == xero.holdings.name
    assert xero_sync.problem(db, local) == ""
    assert actions(db) == ["xero.connected", "xero.organisation_chosen"]
    unknown = browser.post(CHOOSE, data={"tenant_id": "not-offered"})
    assert unknown.status_code == 404


def test_another_organisation_is_read_whole_at_the_next_sync(
    sign_in: SignIn, db: Session, xero: XeroHarness
) -> None:
    browser = sign_in(Role.ADMIN)
    assert connect(browser, [xero.roofing.tenant_id, xero.holdings.tenant_id]).status_code == 303
    assert browser.post(CHOOSE, data={"tenant_id": xero.roofing.tenant_id}).status_code == 303
    cursors = SyncCursorRepository(db)
    cursors.move(Provider.XERO, "ledger", xero.clock(), xero.clock())
    db.commit()

    assert browser.post(CHOOSE, data={"tenant_id": xero.holdings.tenant_id}).status_code == 303

    db.expire_all()
    assert cursors.position(Provider.XERO, "ledger") is None
    assert xero_sync.first_sync(db)


def test_a_rotated_refresh_token_survives_a_restart(
    sign_in: SignIn,
    db: Session,
    local: Settings,
    xero: XeroHarness,
    session_maker: sessionmaker[Session],
) -> None:
    assert connect(sign_in(Role.ADMIN), [xero.roofing.tenant_id]).status_code == 303
    first = read_credentials(secret_box(local), row(db))["refresh_token"]

    def client() -> Any:
        limiter = RateLimiter(1000.0, 1000, sleep=xero.sleep)
        return XeroConnection(clock=xero.clock).client(
            session_maker, local, sleep=xero.sleep, limiter=limiter
        )

    xero.clock.advance(timedelta(minutes=26))  # inside the 5-minute margin: refreshed
    assert client().organisation().name == xero.roofing.name
    rotated = read_credentials(secret_box(local), row(db))["refresh_token"]
    xero.clock.advance(timedelta(hours=2))  # the first token's grace is long over
    assert client().organisation().name == xero.roofing.name  # a new process, from the row

    assert rotated != first
    assert read_credentials(secret_box(local), row(db))["refresh_token"] not in (first, rotated)
    assert row(db).status == ConnectionStatus.CONNECTED


def test_disconnect_forgets_and_revokes(
    sign_in: SignIn, db: Session, local: Settings, xero: XeroHarness
) -> None:
    browser = sign_in(Role.ADMIN)
    assert connect(browser, [xero.roofing.tenant_id]).status_code == 303
    revokes = xero.fake.requests.count(method="POST", path_contains="/connect/revocation")

    response = browser.post(DISCONNECT)

    assert response.status_code == 303
    assert response.headers["location"] == f"{PAGE}?saved=xero-disconnected#xero"
    assert row(db).status == ConnectionStatus.DISCONNECTED
    assert read_credentials(secret_box(local), row(db)) == {}
    assert xero.fake.requests.count(method="POST", path_contains="/connect/revocation") == (
        revokes + 1
    )
    assert actions(db) == ["xero.connected", "xero.disconnected"]
    assert ">Connect Xero</button>" in card(browser.client.get(PAGE).text)
    assert xero_sync.problem(db, local) != ""


def test_office_sees_the_status_but_no_buttons(sign_in: SignIn) -> None:
    office = card(sign_in(Role.OFFICE).client.get(PAGE).text)
    assert "An admin connects Xero here." in office
    assert "<button" not in office
    assert sign_in(Role.OFFICE).post(CONNECT).status_code == 403


# ----- one accounting system per company -------------------------------------------------------
def test_xero_is_refused_while_quickbooks_is_connected(
    sign_in: SignIn, db: Session, xero: XeroHarness
) -> None:
    db.add(IntegrationConnection(provider=Provider.QUICKBOOKS, status=ConnectionStatus.CONNECTED))
    db.commit()
    browser = sign_in(Role.ADMIN)

    assert "keeps its books in QuickBooks" in card(browser.client.get(PAGE).text)
    refused = browser.post(CONNECT)

    assert refused.status_code == 409
    assert "QuickBooks is already connected" in card(refused.text)
    assert xero.fake.requests.count(method="GET", path_contains="/identity/connect") == 0


def test_quickbooks_is_refused_while_xero_is_connected(
    sign_in: SignIn, db: Session, local: Settings, xero: XeroHarness
) -> None:
    assert connect(sign_in(Role.ADMIN), [xero.roofing.tenant_id]).status_code == 303

    with pytest.raises(OtherBooksConnected, match="Xero is already connected"):
        quickbooks_connection.start_connect(db, local, SYSTEM)
