"""Connecting to the fake Xero, choosing a tenant, and the token store over HTTP with the real
database: rotation that survives a restart, and concurrent refreshes that spend one token."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from roofops.config import Settings
from roofops.db import session_factory
from roofops.integrations.core.credentials import read_credentials, secret_box
from roofops.integrations.core.repository import ConnectionRepository
from roofops.integrations.xero.client import XeroClient
from roofops.integrations.xero.oauth import OAuthApp, XeroEndpoints, authorization_url
from roofops.integrations.xero.tokens import (
    NotConnected,
    ReauthorizationRequired,
    TokenStore,
    choose_tenant,
    chosen_tenant,
    complete_consent,
)
from roofops.kit.crypto import SecretBox
from roofops.kit.http import RateLimiter
from roofops.models import ConnectionStatus, IntegrationConnection, Provider
from roofops.sandbox.xero.fake import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from tests.sandbox.xero.harness import XeroHarness

REDIRECT = "http://testserver/integrations/xero/callback"
TOKEN_PATH = "/connect/token"


@pytest.fixture
def app(xero: XeroHarness) -> OAuthApp:
    return OAuthApp(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, XeroEndpoints.at(xero.url))


@pytest.fixture
def box(settings: Settings) -> SecretBox:
    return secret_box(settings)


def _consent(xero: XeroHarness, app: OAuthApp, tenant_ids: list[str]) -> str:
    """The consent page, ticked and allowed; the code it sends the browser back with."""
    url = authorization_url(app, REDIRECT, "state-1")
    page = httpx.get(url)
    assert page.status_code == 200
    form: dict[str, Any] = {**dict(parse_qs(urlsplit(url).query)), "tenant": tenant_ids}
    form = {key: value[0] if key != "tenant" else value for key, value in form.items()}
    back = httpx.post(url.split("?")[0], data=form)
    return parse_qs(urlsplit(back.headers["location"]).query)["code"][0]


def _connect(
    db: Session, xero: XeroHarness, app: OAuthApp, box: SecretBox, tenant_ids: list[str]
) -> list[Any]:
    code = _consent(xero, app, tenant_ids)
    reached = complete_consent(db, box, app, code=code, redirect_uri=REDIRECT, clock=xero.clock)
    db.commit()
    return reached


def _client(
    sessions: sessionmaker[Session], box: SecretBox, app: OAuthApp, xero: XeroHarness
) -> XeroClient:
    """A client as a fresh process builds it: everything read from the database."""
    store = TokenStore(sessions, box, app, clock=xero.clock, sleep=xero.sleep)
    with sessions() as db:
        tenant_id = chosen_tenant(db)
    return XeroClient(
        tenant_id,
        store.access_token,
        on_token_rejected=store.on_token_rejected,
        base_url=xero.url,
        sleep=xero.sleep,
        limiter=RateLimiter(1000.0, 1000, sleep=xero.sleep),
    )


def _stored_refresh_token(sessions: sessionmaker[Session], box: SecretBox) -> str:
    with sessions() as db:
        connection = ConnectionRepository(db).by_provider(Provider.XERO)
        assert connection is not None
        return str(read_credentials(box, connection)["refresh_token"])


def _token_calls(xero: XeroHarness) -> int:
    return xero.fake.requests.count(method="POST", path_contains=TOKEN_PATH)


def test_connecting_two_organisations_waits_for_a_tenant_choice(
    db: Session,
    session_maker: sessionmaker[Session],
    xero: XeroHarness,
    app: OAuthApp,
    box: SecretBox,
) -> None:
    both = [xero.roofing.tenant_id, xero.holdings.tenant_id]
    reached = _connect(db, xero, app, box, both)

    with pytest.raises(NotConnected):
        _client(session_maker, box, app, xero)
    choose_tenant(db, xero.holdings.tenant_id)
    db.commit()
    organisation = _client(session_maker, box, app, xero).organisation()

    assert sorted(tenant.name for tenant in reached) == sorted(
        [xero.roofing.name, xero.holdings.name]
    )
    assert organisation.name == xero.holdings.name


def test_one_organisation_is_chosen_at_once(
    db: Session,
    session_maker: sessionmaker[Session],
    xero: XeroHarness,
    app: OAuthApp,
    box: SecretBox,
) -> None:
    _connect(db, xero, app, box, [xero.roofing.tenant_id])

    assert _client(session_maker, box, app, xero).organisation().name == xero.roofing.name


def test_a_rotated_refresh_token_survives_a_restart(
    db: Session,
    session_maker: sessionmaker[Session],
    xero: XeroHarness,
    app: OAuthApp,
    box: SecretBox,
) -> None:
    _connect(db, xero, app, box, [xero.roofing.tenant_id])
    first = _stored_refresh_token(session_maker, box)

    xero.clock.advance(timedelta(minutes=26))  # inside the 5-minute margin: refresh
    _client(session_maker, box, app, xero).organisation()
    rotated = _stored_refresh_token(session_maker, box)
    xero.clock.advance(timedelta(hours=2))  # the old token's grace is long over
    after_restart = _client(session_maker, box, app, xero).organisation()

    assert rotated != first
    assert _stored_refresh_token(session_maker, box) not in (first, rotated)
    assert after_restart.name == xero.roofing.name
    assert _token_calls(xero) == 3  # the exchange and one refresh per expiry


@pytest.fixture
def committing(database_url: str) -> Iterator[sessionmaker[Session]]:
    """Sessions that really commit, on their own connections (the refresh lock is real), with
    no Xero row before or after. No rolled-back test transaction may be open meanwhile."""
    sessions = session_factory(database_url)
    _drop_connection(sessions)
    yield sessions
    _drop_connection(sessions)


def _drop_connection(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as db:
        db.execute(
            sa.delete(IntegrationConnection).where(IntegrationConnection.provider == Provider.XERO)
        )


def test_concurrent_refreshes_spend_the_refresh_token_once(
    committing: sessionmaker[Session], xero: XeroHarness, app: OAuthApp, box: SecretBox
) -> None:
    with committing() as db:
        _connect(db, xero, app, box, [xero.roofing.tenant_id])
    xero.clock.advance(timedelta(minutes=31))
    clients = [_client(committing, box, app, xero) for _ in range(3)]
    xero.fake.faults.latency = 0.3  # the first refresh is still in flight when the others ask
    names: list[str] = []
    threads = [
        threading.Thread(target=lambda c=client: names.append(c.organisation().name))
        for client in clients
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert names == [xero.roofing.name] * 3
    assert _token_calls(xero) == 2  # the exchange and a single refresh


def test_a_refused_refresh_marks_the_connection_for_reconnect(
    db: Session,
    session_maker: sessionmaker[Session],
    xero: XeroHarness,
    app: OAuthApp,
    box: SecretBox,
) -> None:
    _connect(db, xero, app, box, [xero.roofing.tenant_id])
    xero.clock.advance(timedelta(days=61))  # unused for longer than 60 days

    with pytest.raises(ReauthorizationRequired):
        _client(session_maker, box, app, xero).organisation()

    with session_maker() as check:
        connection = ConnectionRepository(check).by_provider(Provider.XERO)
        assert connection is not None
        assert connection.status == ConnectionStatus.FAILED
