"""Connecting QuickBooks: the OAuth flow against the fake over HTTP, disconnect, the API and
the callback page, with the real database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from roofops.auth.principal import SYSTEM, Principal
from roofops.config import Settings
from roofops.exceptions import ConfigurationError
from roofops.integrations.quickbooks import client as client_module
from roofops.integrations.quickbooks import connection as connection_module
from roofops.integrations.quickbooks import oauth as oauth_module
from roofops.integrations.quickbooks import tokens as tokens_module
from roofops.integrations.quickbooks.connection import (
    STATE_REFUSED,
    ConnectRefused,
    QuickBooksConnection,
)
from roofops.integrations.quickbooks.schemas import Invoice
from roofops.integrations.quickbooks.tokens import NotConnected
from roofops.models import ActorType, AuditLog, ConnectionStatus, Role, User
from roofops.sandbox.quickbooks.oauth import OAuthFailure
from tests.factories import ApiClient, make_api_client, make_user
from tests.integrations.quickbooks.conftest import REALM, START, Harness
from tests.integrations.quickbooks.connecting import (
    REVOKE_PATH,
    aimed_at,
    client_of,
    connect,
    consent,
    stored,
)
from tests.web.conftest import PASSWORD, csrf_from, login

API = "/api/v1/integrations/quickbooks"


@pytest.fixture
def local(settings: Settings, qbo: Harness) -> Settings:
    return aimed_at(settings, qbo)


@pytest.fixture
def service(qbo: Harness) -> QuickBooksConnection:
    return QuickBooksConnection(clock=qbo.clock)


def admin(db: Session) -> Principal:
    user = make_user(db, role=Role.ADMIN)
    return Principal(user.id, user.email, user.full_name, Role.ADMIN, ActorType.USER)


def audit_actions(db: Session) -> list[str]:
    query = sa.select(AuditLog.action).where(AuditLog.action.startswith("quickbooks."))
    return list(db.scalars(query.order_by(AuditLog.occurred_at)))


# ----- the OAuth flow ----------------------------------------------------------------------
def test_connecting_keeps_the_realm_and_the_tokens_encrypted(
    db: Session,
    session_maker: sessionmaker[Session],
    local: Settings,
    qbo: Harness,
    service: QuickBooksConnection,
) -> None:
    view = connect(db, local, service, admin(db))

    assert (view.status, view.origin, view.realm_id) == (ConnectionStatus.CONNECTED, "ui", REALM)
    assert view.access_expires_at == START + timedelta(hours=1)
    assert view.refresh_expires_at == START + timedelta(days=100)
    assert view.refresh_hard_expires_at == START + timedelta(days=5 * 365)
    row = stored(session_maker, local)
    assert row.refresh_token not in row.connection.credentials_encrypted
    assert row.access_token not in row.connection.credentials_encrypted
    assert audit_actions(db) == ["quickbooks.connected"]
    with client_of(service, session_maker, local, qbo) as client:
        assert client.count(Invoice) == 0


def test_the_authorize_url_carries_the_app_the_redirect_and_a_state(
    db: Session, local: Settings, service: QuickBooksConnection
) -> None:
    url = urlsplit(service.start_connect(db, local, admin(db)))

    assert url.path == "/connect/oauth2"
    assert (
        "redirect_uri=http%3A%2F%2Ftestserver%2Fintegrations%2Fquickbooks%2Fcallback" in url.query
    )
    assert "client_id=fake-quickbooks-client" in url.query
    assert "state=" in url.query


def test_a_wrong_state_is_refused_and_the_right_one_still_works(
    db: Session, local: Settings, service: QuickBooksConnection
) -> None:
    principal = admin(db)
    answer = consent(service.start_connect(db, local, principal))
    db.commit()

    with pytest.raises(ConnectRefused) as refused:
        service.complete_connect(
            db, local, principal, code=answer["code"], state="forged", realm_id=REALM
        )
    db.rollback()

    assert refused.value.status_code == 400
    assert refused.value.message == STATE_REFUSED
    view = service.complete_connect(
        db, local, principal, code=answer["code"], state=answer["state"], realm_id=REALM
    )
    assert view.status == ConnectionStatus.CONNECTED


@pytest.mark.parametrize("case", ["expired", "reused", "someone else", "missing"])
def test_a_stale_or_foreign_state_is_refused(
    db: Session, local: Settings, qbo: Harness, service: QuickBooksConnection, case: str
) -> None:
    principal = admin(db)
    answer = consent(service.start_connect(db, local, principal))
    completer, state = principal, answer["state"]
    if case == "expired":
        qbo.clock.advance(timedelta(minutes=16))
    elif case == "reused":
        service.complete_connect(
            db, local, principal, code=answer["code"], state=state, realm_id=REALM
        )
    elif case == "someone else":
        completer = admin(db)
    else:
        state = ""

    with pytest.raises(ConnectRefused, match="click Connect QuickBooks again"):
        service.complete_connect(
            db, local, completer, code=answer["code"], state=state, realm_id=REALM
        )


def test_a_declined_consent_is_refused_readably(
    db: Session, local: Settings, service: QuickBooksConnection
) -> None:
    principal = admin(db)
    state = consent(service.start_connect(db, local, principal))["state"]

    with pytest.raises(ConnectRefused, match=r"did not authorize roofops \(access_denied\)"):
        service.complete_connect(
            db, local, principal, code="", state=state, realm_id="", error="access_denied"
        )


def test_a_spent_code_is_refused(
    db: Session, local: Settings, service: QuickBooksConnection
) -> None:
    principal = admin(db)
    first = consent(service.start_connect(db, local, principal))
    service.complete_connect(
        db, local, principal, code=first["code"], state=first["state"], realm_id=REALM
    )
    second = consent(service.start_connect(db, local, principal))

    with pytest.raises(ConnectRefused, match="did not accept the authorization code"):
        service.complete_connect(
            db, local, principal, code=first["code"], state=second["state"], realm_id=REALM
        )


def test_connecting_needs_an_oauth_app(db: Session, settings: Settings) -> None:
    with pytest.raises(ConfigurationError, match="QB_CLIENT_ID") as refused:
        QuickBooksConnection().start_connect(db, settings, SYSTEM)

    assert refused.value.status_code == 409
    assert not QuickBooksConnection().view(db, settings).can_connect


# ----- disconnect --------------------------------------------------------------------------
def test_disconnect_forgets_and_revokes_the_tokens(
    db: Session,
    session_maker: sessionmaker[Session],
    local: Settings,
    qbo: Harness,
    service: QuickBooksConnection,
) -> None:
    principal = admin(db)
    connect(db, local, service, principal)
    refresh_token = stored(session_maker, local).refresh_token

    view = service.disconnect(db, local, principal)
    assert qbo.fake.requests.count(path_contains=REVOKE_PATH) == 0  # not before the commit
    db.commit()

    assert view.status == ConnectionStatus.DISCONNECTED
    assert (view.access_expires_at, view.refresh_expires_at) == (None, None)
    assert stored(session_maker, local).connection.credentials_encrypted == ""
    assert qbo.fake.requests.count(path_contains=REVOKE_PATH) == 1
    with pytest.raises(OAuthFailure, match="invalid"):
        qbo.fake.auth.refresh(refresh_token)
    assert audit_actions(db) == ["quickbooks.connected", "quickbooks.disconnected"]
    with pytest.raises(NotConnected):
        service.client(session_maker, local)


def test_a_failed_revoke_does_not_stop_the_disconnect(
    db: Session,
    session_maker: sessionmaker[Session],
    settings: Settings,
    qbo: Harness,
    service: QuickBooksConnection,
) -> None:
    local = aimed_at(settings, qbo)
    connect(db, local, service, SYSTEM)
    unreachable = local.model_copy(update={"qb_revoke_url": "http://127.0.0.1:9/revoke"})

    service.disconnect(db, unreachable, SYSTEM)
    db.commit()

    assert stored(session_maker, local).connection.status == ConnectionStatus.DISCONNECTED


# ----- secrets stay secret -----------------------------------------------------------------
class Logs:
    """Stands in for the modules' loggers, keeping every event with its values, plus stderr."""

    def __init__(self, capfd: pytest.CaptureFixture[str]) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []
        self._capfd = capfd

    def __getattr__(self, _level: str) -> Any:
        def record(event: str, **values: Any) -> None:
            self.events.append((event, values))

        return record

    def text(self) -> str:
        return repr(self.events) + self._capfd.readouterr().err


@pytest.fixture
def logs(monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> Logs:
    recorder = Logs(capfd)
    for module in (tokens_module, connection_module, oauth_module, client_module):
        monkeypatch.setattr(module, "log", recorder)
    return recorder


def test_tokens_never_reach_the_api_or_the_logs(
    logs: Logs, db: Session, session_maker: sessionmaker[Session], local: Settings, qbo: Harness
) -> None:
    service = QuickBooksConnection(clock=qbo.clock)
    connect(db, local, service, SYSTEM)
    first = stored(session_maker, local)
    qbo.clock.advance(timedelta(hours=1))
    with client_of(service, session_maker, local, qbo) as client:
        client.count(Invoice)
    second = stored(session_maker, local)
    secrets = [first.access_token, first.refresh_token, second.access_token, second.refresh_token]

    body = _api_client(local, session_maker, db).as_role(Role.ADMIN).get(f"{API}/connection").text

    assert {"quickbooks.connection.connected", "quickbooks.token.refreshed"} <= {
        event for event, _ in logs.events
    }
    logged = logs.text()
    assert [secret for secret in secrets if secret in body or secret in logged] == []
    assert '"status":"connected"' in body


# ----- the JSON API and the callback page --------------------------------------------------
def _app(settings: Settings, sessions: sessionmaker[Session]) -> FastAPI:
    from roofops.app import create_app

    return create_app(settings, sessions, run_background=False)


def _api_client(settings: Settings, sessions: sessionmaker[Session], db: Session) -> ApiClient:
    return make_api_client(TestClient(_app(settings, sessions)), db)


@pytest.fixture
def web(local: Settings, session_maker: sessionmaker[Session]) -> Iterator[TestClient]:
    with TestClient(_app(local, session_maker), base_url="http://testserver") as client:
        yield client


def test_the_api_lets_viewers_of_integrations_look_and_only_admins_act(
    web: TestClient, db: Session
) -> None:
    api = make_api_client(web, db)
    viewer, office, boss = (api.as_role(role) for role in (Role.VIEWER, Role.OFFICE, Role.ADMIN))

    assert viewer.get(f"{API}/connection").status_code == 403
    assert office.get(f"{API}/connection").json()["status"] == "not_configured"
    assert office.post(f"{API}/connect").status_code == 403
    assert office.delete(f"{API}/connection").status_code == 403
    started = boss.post(f"{API}/connect")
    assert started.status_code == 200
    assert "/connect/oauth2?" in started.json()["authorize_url"]
    assert boss.delete(f"{API}/connection").json()["status"] == "disconnected"


def signed_in_admin(web: TestClient, db: Session) -> tuple[User, str]:
    user = make_user(db, role=Role.ADMIN, password=PASSWORD)
    db.commit()
    assert login(web, user.email, PASSWORD).status_code == 303
    return user, csrf_from(web.get("/settings").text)


def test_the_callback_page_completes_the_connection_for_the_signed_in_admin(
    web: TestClient, db: Session, session_maker: sessionmaker[Session], local: Settings
) -> None:
    _, csrf = signed_in_admin(web, db)
    started = web.post(f"{API}/connect", headers={"X-CSRF-Token": csrf})
    back = urlsplit(_location(started.json()["authorize_url"]))

    landed = web.get(f"{back.path}?{back.query}", follow_redirects=False)

    assert landed.status_code == 303
    assert landed.headers["location"] == "/settings/integrations?saved=quickbooks-connected"
    assert stored(session_maker, local).connection.account_id == REALM


def test_the_callback_page_explains_a_refusal(web: TestClient, db: Session) -> None:
    _, csrf = signed_in_admin(web, db)
    web.post(f"{API}/connect", headers={"X-CSRF-Token": csrf})

    page = web.get("/integrations/quickbooks/callback?code=c&state=forged&realmId=1")

    assert page.status_code == 400
    assert "text/html" in page.headers["content-type"]
    assert "click Connect QuickBooks again" in page.text


def test_the_callback_page_wants_a_signed_in_admin(web: TestClient, db: Session) -> None:
    callback = "/integrations/quickbooks/callback?code=c&state=s&realmId=1"

    assert web.get(callback, follow_redirects=False).headers["location"].startswith("/login")
    office = make_user(db, role=Role.OFFICE, password=PASSWORD)
    db.commit()
    login(web, office.email, PASSWORD)
    assert web.get(callback).status_code == 403


def _location(authorize_url: str) -> str:
    return httpx.get(authorize_url, follow_redirects=False).headers["location"]
