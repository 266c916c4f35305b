"""The QuickBooks card on Settings > Integrations through TestClient: who sees what, Connect
(to Intuit's consent screen, here the fake's), the callback back to the card, Disconnect, a
failed connection, and no token or secret in the page."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy.orm import Session, sessionmaker

from roofops.config import Settings
from roofops.integrations.core.credentials import read_credentials, secret_box
from roofops.integrations.quickbooks.connection import NO_OAUTH_APP
from roofops.kit.crypto import sha256_hex
from roofops.models import (
    AuditLog,
    ConnectionStatus,
    IntegrationConnection,
    Provider,
    Role,
    User,
)
from roofops.sandbox.quickbooks.fake import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_REALM,
    FakeQuickBooks,
)
from roofops.sandbox.quickbooks.sandbox import prepare_demo_connection
from roofops.sandbox.server import serving
from tests.web.conftest import PASSWORD, Browser, csrf_from, login

PAGE = "/settings/integrations"
CONNECT = f"{PAGE}/quickbooks/connect"
DISCONNECT = f"{PAGE}/quickbooks/disconnect"
CALLBACK = "/integrations/quickbooks/callback"
HX = {"HX-Request": "true"}
REVOKE_PATH = "/v2/oauth2/tokens/revoke"
SignIn = Callable[[Role], Browser]


@pytest.fixture(scope="module")
def fake() -> Iterator[tuple[FakeQuickBooks, str]]:
    """Intuit, as the fake plays it: consent, tokens and revoke over HTTP (real time)."""
    quickbooks = FakeQuickBooks()
    quickbooks.add_company(DEFAULT_REALM)
    with serving(quickbooks.app()) as url:
        yield quickbooks, url


@pytest.fixture
def local(settings: Settings, fake: tuple[FakeQuickBooks, str]) -> Settings:
    """An Intuit app configured, with its OAuth endpoints at the fake."""
    _, url = fake
    values: dict[str, Any] = {
        "base_url": "http://testserver",
        "qb_client_id": DEFAULT_CLIENT_ID,
        "qb_client_secret": SecretStr(DEFAULT_CLIENT_SECRET),
        "qb_authorize_url": f"{url}/connect/oauth2",
        "qb_token_url": f"{url}/oauth2/v1/tokens/bearer",
        "qb_revoke_url": f"{url}{REVOKE_PATH}",
        "qb_base_url": url,
    }
    return settings.model_copy(update=values)


@pytest.fixture
def app(local: Settings, session_maker: sessionmaker[Session]) -> FastAPI:
    from roofops.app import create_app

    return create_app(local, session_maker, run_background=False)


def card(html: str) -> str:
    """The QuickBooks card alone: the JobNimbus card has a connection badge too."""
    match = re.search(r'<section class="card" id="quickbooks".*?</section>', html, re.DOTALL)
    assert match, "no QuickBooks card on the page"
    return match.group(0)


def qb_row(db: Session) -> IntegrationConnection:
    db.expire_all()
    query = sa.select(IntegrationConnection).where(
        IntegrationConnection.provider == Provider.QUICKBOOKS
    )
    return db.scalars(query).one()


def connect(browser: Browser) -> httpx.Response:
    """Connect on the card, consent at the fake, and land back through the callback page."""
    started = browser.post(CONNECT)
    assert started.status_code == 303
    consent = httpx.get(started.headers["location"], follow_redirects=False)
    assert consent.status_code == 302
    back = urlsplit(consent.headers["location"])
    assert back.path == CALLBACK
    landed: httpx.Response = browser.client.get(f"{back.path}?{back.query}", follow_redirects=False)
    return landed


# ----- who may see and do what ---------------------------------------------------------------
@pytest.mark.parametrize("role", [Role.VIEWER, Role.CREW_LEAD, Role.DISPATCHER])
def test_roles_without_integration_access_are_refused(sign_in: SignIn, role: Role) -> None:
    browser = sign_in(role)
    assert browser.client.get(PAGE).status_code == 403
    assert browser.post(CONNECT).status_code == 403
    assert browser.post(DISCONNECT).status_code == 403


@pytest.mark.parametrize("path", [CONNECT, DISCONNECT])
def test_connect_and_disconnect_need_the_csrf_token(sign_in: SignIn, path: str) -> None:
    browser = sign_in(Role.ADMIN)
    response = browser.client.post(path, data={}, follow_redirects=False)
    assert response.status_code == 403
    assert "CSRF" in response.text


@pytest.mark.parametrize("role", [Role.OFFICE, Role.FINANCE])
def test_office_sees_the_status_but_no_buttons(sign_in: SignIn, role: Role) -> None:
    browser = sign_in(role)
    quickbooks = card(browser.client.get(PAGE).text)

    assert 'data-connection-status="not_configured"' in quickbooks
    assert "An admin connects QuickBooks here." in quickbooks
    assert CONNECT not in quickbooks
    assert DISCONNECT not in quickbooks
    assert "<button" not in quickbooks
    assert browser.post(CONNECT).status_code == 403
    assert browser.post(DISCONNECT).status_code == 403


def test_admin_sees_connect_and_the_redirect_uri_to_register(sign_in: SignIn) -> None:
    page = sign_in(Role.ADMIN).client.get(PAGE).text
    quickbooks = card(page)

    assert 'data-connection-status="not_configured"' in quickbooks
    assert f'action="{CONNECT}"' in quickbooks
    assert f'hx-post="{CONNECT}"' in quickbooks
    assert ">Connect QuickBooks</button>" in quickbooks
    assert f"<code>http://testserver{CALLBACK}</code>" in quickbooks
    assert DISCONNECT not in quickbooks  # nothing to disconnect yet
    # Xero has a card of its own, no longer a placeholder.
    assert "QuickBooks Online</strong>" not in page
    assert 'id="xero"' in page
    assert "Coming soon" not in page


@contextmanager
def app_with(settings: Settings, sessions: sessionmaker[Session], user: User) -> Iterator[Browser]:
    """Another app (other settings) on the same database, ``user`` signed in."""
    from roofops.app import create_app

    app = create_app(settings, sessions, run_background=False)
    with TestClient(app, base_url="http://testserver") as client:
        assert login(client, user.email, PASSWORD).status_code == 303
        yield Browser(client, user, csrf_from(client.get("/settings").text))


def test_without_an_intuit_app_admins_are_told_what_to_configure(
    sign_in: SignIn, settings: Settings, session_maker: sessionmaker[Session]
) -> None:
    with app_with(settings, session_maker, sign_in(Role.ADMIN).user) as browser:
        quickbooks = card(browser.client.get(PAGE).text)
        assert "QB_CLIENT_ID and QB_CLIENT_SECRET" in quickbooks
        assert CONNECT not in quickbooks

        refused = browser.post(CONNECT)
        assert refused.status_code == 409
        assert NO_OAUTH_APP in card(refused.text)
        fragment = browser.post(CONNECT, headers=HX)
        assert fragment.status_code == 409
        assert fragment.text.lstrip().startswith('<section class="card" id="quickbooks"')
        assert 'id="quickbooks-error"' in fragment.text


def test_an_access_token_from_the_environment_shows_where_it_comes_from_not_itself(
    sign_in: SignIn, settings: Settings, session_maker: sessionmaker[Session]
) -> None:
    token = "env-access-token-4f1c9a0b7d"
    from_env = settings.model_copy(
        update={
            "qb_enabled": True,
            "qb_realm_id": "4620816365",
            "qb_access_token": SecretStr(token),
        }
    )
    with app_with(from_env, session_maker, sign_in(Role.ADMIN).user) as browser:
        page = browser.client.get(PAGE).text
        quickbooks = card(page)
        assert "Server environment (QB_ACCESS_TOKEN" in quickbooks
        assert "Company id 4620816365" in quickbooks
        assert f'action="{DISCONNECT}"' in quickbooks  # stops roofops using it
        assert token not in page

        assert browser.post(DISCONNECT).status_code == 303
        quickbooks = card(browser.client.get(PAGE).text)
        assert 'data-connection-status="disconnected"' in quickbooks
        assert DISCONNECT not in quickbooks


# ----- connecting ----------------------------------------------------------------------------
def test_connect_sends_the_admin_to_intuit_with_a_one_time_state(
    sign_in: SignIn, db: Session
) -> None:
    started = sign_in(Role.ADMIN).post(CONNECT)

    assert started.status_code == 303
    authorize = urlsplit(started.headers["location"])
    assert authorize.path == "/connect/oauth2"
    query = {key: values[0] for key, values in parse_qs(authorize.query).items()}
    assert query["client_id"] == DEFAULT_CLIENT_ID
    assert query["redirect_uri"] == f"http://testserver{CALLBACK}"
    assert query["response_type"] == "code"
    assert len(query["state"]) >= 20
    kept = qb_row(db).options["oauth_states"]
    assert [entry["hash"] for entry in kept] == [sha256_hex(query["state"])]  # only its hash


def test_htmx_gets_the_consent_url_to_navigate_to(sign_in: SignIn) -> None:
    """A form redirected to another origin would break the CSP's form-action 'self'."""
    started = sign_in(Role.ADMIN).post(CONNECT, headers=HX)

    assert started.status_code == 204
    assert "/connect/oauth2?" in started.headers["HX-Redirect"]
    assert "state=" in started.headers["HX-Redirect"]


def test_the_callback_lands_on_the_card_connected(
    sign_in: SignIn, db: Session, local: Settings
) -> None:
    browser = sign_in(Role.ADMIN)
    landed = connect(browser)

    assert landed.status_code == 303
    assert landed.headers["location"] == f"{PAGE}?saved=quickbooks-connected"
    page = browser.client.get(landed.headers["location"]).text
    assert 'role="status">QuickBooks is connected.' in page
    quickbooks = card(page)
    assert 'data-connection-status="connected"' in quickbooks
    assert f"Company id {DEFAULT_REALM}" in quickbooks
    assert "Connected here" in quickbooks
    assert re.search(r"Access token expires</dt><dd>\w{3} \d", quickbooks)
    assert re.search(r"Refresh token expires</dt><dd>\w{3} \d", quickbooks)
    assert ">Connect QuickBooks</button>" not in quickbooks
    assert f'action="{DISCONNECT}"' in quickbooks
    assert 'data-confirm="Disconnect QuickBooks?' in quickbooks
    # Never a token, nor the app's secret: not in the card, not anywhere on the page.
    stored = read_credentials(secret_box(local), qb_row(db))
    secrets = [stored["access_token"], stored["refresh_token"], DEFAULT_CLIENT_SECRET]
    assert all(secret and secret not in page for secret in secrets)
    assert qb_row(db).credentials_encrypted not in page

    office = sign_in(Role.OFFICE).client.get(PAGE).text
    assert 'data-connection-status="connected"' in card(office)
    assert DISCONNECT not in card(office)
    assert all(secret not in office for secret in secrets)


def test_disconnect_forgets_the_tokens_and_offers_connect_again(
    sign_in: SignIn, db: Session, local: Settings, fake: tuple[FakeQuickBooks, str]
) -> None:
    quickbooks_fake, _ = fake
    browser = sign_in(Role.ADMIN)
    assert connect(browser).status_code == 303
    revokes = quickbooks_fake.requests.count(method="POST", path_contains=REVOKE_PATH)

    response = browser.post(DISCONNECT)

    assert response.status_code == 303
    assert response.headers["location"] == f"{PAGE}?saved=quickbooks-disconnected#quickbooks"
    row = qb_row(db)
    assert row.status == ConnectionStatus.DISCONNECTED
    assert read_credentials(secret_box(local), row) == {}
    assert quickbooks_fake.requests.count(method="POST", path_contains=REVOKE_PATH) == revokes + 1
    audited = sa.select(AuditLog.action).where(AuditLog.action == "quickbooks.disconnected")
    assert db.scalars(audited).all() == ["quickbooks.disconnected"]
    page = browser.client.get(response.headers["location"]).text
    assert "QuickBooks is disconnected" in page
    quickbooks = card(page)
    assert 'data-connection-status="disconnected"' in quickbooks
    assert ">Connect QuickBooks</button>" in quickbooks
    assert DISCONNECT not in quickbooks


# ----- a failed connection -------------------------------------------------------------------
def test_a_failed_connection_says_why_and_offers_reconnect(sign_in: SignIn, db: Session) -> None:
    browser = sign_in(Role.ADMIN)
    assert connect(browser).status_code == 303
    row = qb_row(db)
    row.status = ConnectionStatus.FAILED
    row.last_error = "QuickBooks refused the stored authorization: reconnect in Settings"
    db.commit()

    quickbooks = card(browser.client.get(PAGE).text)
    assert 'data-connection-status="failed"' in quickbooks
    failed = re.search(
        r'<div class="alert alert-error" role="alert" id="quickbooks-failed">.*?</div>',
        quickbooks,
        re.DOTALL,
    )
    assert failed
    assert "you reconnect it below" in failed.group(0)
    assert "QuickBooks refused the stored authorization: reconnect in Settings." in failed.group(0)
    assert ">Reconnect QuickBooks</button>" in quickbooks
    assert f'action="{DISCONNECT}"' in quickbooks

    office = card(sign_in(Role.OFFICE).client.get(PAGE).text)
    assert 'id="quickbooks-failed"' in office
    assert "an admin reconnects it" in office
    assert "Reconnect QuickBooks" not in office


# ----- the demo sandbox ----------------------------------------------------------------------
def test_the_demo_sandbox_is_ready_to_connect(
    sign_in: SignIn, db: Session, local: Settings
) -> None:
    prepare_demo_connection(db, local)
    db.commit()
    stored = read_credentials(secret_box(local), qb_row(db))

    page = sign_in(Role.ADMIN).client.get(PAGE).text
    quickbooks = card(page)
    assert 'data-connection-status="not_configured"' in quickbooks
    assert '<span class="status-pill info">Sandbox</span>' in quickbooks
    assert "Demo sandbox" in quickbooks
    assert ">Connect QuickBooks</button>" in quickbooks
    assert "built-in sandbox QuickBooks" in quickbooks
    assert stored["client_secret"] not in page
