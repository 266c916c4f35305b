"""The token store against the fake's token server over HTTP, with the real database."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
import sqlalchemy as sa
from pydantic import SecretStr
from sqlalchemy.orm import Session, sessionmaker

from roofops.auth.principal import SYSTEM
from roofops.config import Settings
from roofops.db import session_factory
from roofops.integrations.core.credentials import secret_box, write_credentials
from roofops.integrations.quickbooks.connection import QuickBooksConnection
from roofops.integrations.quickbooks.oauth import TokenSet
from roofops.integrations.quickbooks.schemas import Invoice
from roofops.integrations.quickbooks.tokens import (
    ENV_SEED_REFUSED,
    FALLBACK_REFUSED,
    REAUTHORIZE,
    NotConnected,
    ReauthorizationRequired,
    TokenStore,
    store_tokens,
)
from roofops.kit.http import RetryPolicy, VendorUnavailable
from roofops.models import ConnectionStatus, IntegrationConnection, Provider
from tests.integrations.quickbooks.conftest import REALM, START, Harness
from tests.integrations.quickbooks.connecting import (
    aimed_at,
    client_of,
    connect,
    stored,
    token_calls,
)

HOUR = timedelta(hours=1)


@pytest.fixture
def local(settings: Settings, qbo: Harness) -> Settings:
    return aimed_at(settings, qbo)


@pytest.fixture
def service(qbo: Harness) -> QuickBooksConnection:
    return QuickBooksConnection(clock=qbo.clock)


@pytest.fixture
def connected(
    db: Session,
    session_maker: sessionmaker[Session],
    local: Settings,
    service: QuickBooksConnection,
) -> str:
    """Connects through the consent flow; the refresh token it stored."""
    connect(db, local, service, SYSTEM)
    return stored(session_maker, local).refresh_token


def store_for(sessions: sessionmaker[Session], settings: Settings, qbo: Harness) -> TokenStore:
    return TokenStore(sessions, settings, clock=qbo.clock, sleep=qbo.sleep)


# ----- reuse and refresh -------------------------------------------------------------------
def test_an_access_token_is_reused_until_five_minutes_before_it_expires(
    session_maker: sessionmaker[Session], local: Settings, qbo: Harness, connected: str
) -> None:
    first = stored(session_maker, local).access_token
    qbo.clock.advance(timedelta(minutes=54))  # 6 minutes left

    assert store_for(session_maker, local, qbo).access_token() == first
    assert token_calls(qbo) == 1  # the code exchange only

    qbo.clock.advance(timedelta(minutes=2))  # 4 minutes left
    fresh = store_for(session_maker, local, qbo).access_token()

    assert fresh != first
    assert token_calls(qbo) == 2
    assert stored(session_maker, local).access_token == fresh


def test_the_rotated_refresh_token_is_committed_before_the_new_access_token_is_used(
    session_maker: sessionmaker[Session],
    local: Settings,
    qbo: Harness,
    service: QuickBooksConnection,
    connected: str,
) -> None:
    """Every API request is sent with the database already holding the token it carries."""
    seen: list[tuple[str, str, str]] = []

    class Witness(httpx.HTTPTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            if "/v3/company/" in request.url.path:
                now = stored(session_maker, local)
                bearer = request.headers["Authorization"].removeprefix("Bearer ")
                seen.append((bearer, now.access_token, now.refresh_token))
            return super().handle_request(request)

    qbo.clock.advance(HOUR + timedelta(minutes=1))
    qbo.fake.faults.server_errors = 100  # the API call fails after the refresh
    client = client_of(
        service, session_maker, local, qbo, transport=Witness(), retry=RetryPolicy(attempts=2)
    )
    with client, pytest.raises(VendorUnavailable):
        client.count(Invoice)

    after = stored(session_maker, local)
    assert token_calls(qbo) == 2
    assert after.refresh_token != connected
    assert after.connection.access_expires_at == START + 2 * HOUR + timedelta(minutes=1)
    assert seen
    assert all(bearer == access for bearer, access, _ in seen)
    assert {refresh for _, _, refresh in seen} == {after.refresh_token}


def test_a_restart_after_rotation_carries_on_with_the_stored_tokens(
    session_maker: sessionmaker[Session],
    local: Settings,
    qbo: Harness,
    service: QuickBooksConnection,
    connected: str,
) -> None:
    qbo.clock.advance(HOUR)
    with client_of(service, session_maker, local, qbo) as client:
        client.count(Invoice)
    rotated = stored(session_maker, local).refresh_token

    # A new process: nothing in memory, everything from the database.
    restarted = QuickBooksConnection(clock=qbo.clock)
    with client_of(restarted, session_maker, local, qbo) as client:
        assert client.count(Invoice) == 0
    assert token_calls(qbo) == 2
    qbo.clock.advance(HOUR)
    with client_of(QuickBooksConnection(clock=qbo.clock), session_maker, local, qbo) as client:
        assert client.count(Invoice) == 0

    assert token_calls(qbo) == 3
    assert rotated != connected
    assert stored(session_maker, local).refresh_token not in (rotated, connected)


def test_the_previous_refresh_token_works_for_24_hours_then_fails(
    db: Session, session_maker: sessionmaker[Session], local: Settings, qbo: Harness, connected: str
) -> None:
    """A replica that missed the rotation (or a lost commit) recovers within QuickBooks' grace."""
    qbo.clock.advance(HOUR)
    store_for(session_maker, local, qbo).access_token()
    current = stored(session_maker, local).refresh_token

    _put_back(db, local, connected, qbo)
    store_for(session_maker, local, qbo).access_token()
    assert stored(session_maker, local).refresh_token == current

    _put_back(db, local, connected, qbo)
    qbo.clock.advance(timedelta(hours=24))
    with pytest.raises(ReauthorizationRequired, match="reconnect in Settings > Integrations"):
        store_for(session_maker, local, qbo).access_token()
    assert stored(session_maker, local).connection.status == ConnectionStatus.FAILED


def _put_back(db: Session, settings: Settings, stale: str, qbo: Harness) -> None:
    """Store the stale refresh token with an expired access token."""
    row = db.scalar(sa.select(IntegrationConnection))
    assert row is not None
    db.refresh(row)
    write_credentials(
        secret_box(settings), row, {"access_token": "expired", "refresh_token": stale}, "ui"
    )
    row.access_expires_at = qbo.clock() - HOUR
    db.commit()


def test_a_rejected_token_forces_one_refresh_unless_another_worker_made_one(
    session_maker: sessionmaker[Session], local: Settings, qbo: Harness, connected: str
) -> None:
    first = stored(session_maker, local).access_token

    fresh = store_for(session_maker, local, qbo).on_token_rejected(first)
    again = store_for(session_maker, local, qbo).on_token_rejected(first)

    assert fresh != first
    assert again == fresh
    assert token_calls(qbo) == 2


def test_invalid_grant_marks_the_connection_failed_and_stops_refreshing(
    session_maker: sessionmaker[Session],
    local: Settings,
    qbo: Harness,
    service: QuickBooksConnection,
    connected: str,
) -> None:
    qbo.fake.auth.revoke(connected)  # consent withdrawn at Intuit
    qbo.clock.advance(HOUR)

    with (
        client_of(service, session_maker, local, qbo) as client,
        pytest.raises(ReauthorizationRequired) as refused,
    ):
        client.count(Invoice)

    assert refused.value.message == REAUTHORIZE
    assert refused.value.status_code == 409
    row = stored(session_maker, local).connection
    assert (row.status, row.last_error) == (ConnectionStatus.FAILED, REAUTHORIZE)
    with pytest.raises(ReauthorizationRequired):
        service.client(session_maker, local)
    with pytest.raises(ReauthorizationRequired):
        store_for(session_maker, local, qbo).access_token()
    assert token_calls(qbo) == 2  # the exchange and the one refused refresh


# ----- two workers -------------------------------------------------------------------------
@pytest.fixture
def committing(database_url: str) -> Iterator[sessionmaker[Session]]:
    """Sessions that really commit, on their own connections (the refresh lock is real), with
    no QuickBooks row before or after. No rolled-back test transaction may be open meanwhile."""
    sessions = session_factory(database_url)
    _drop_connection(sessions)
    yield sessions
    _drop_connection(sessions)


def _drop_connection(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as db:
        db.execute(
            sa.delete(IntegrationConnection).where(
                IntegrationConnection.provider == Provider.QUICKBOOKS
            )
        )


def test_two_workers_refreshing_at_once_refresh_once(
    committing: sessionmaker[Session], local: Settings, qbo: Harness
) -> None:
    with committing.begin() as db:
        row = IntegrationConnection(provider=Provider.QUICKBOOKS, account_id=REALM, options={})
        issued = qbo.fake.issue_tokens(REALM)
        store_tokens(secret_box(local), row, _token_set(issued, qbo), "ui")
        db.add(row)
    qbo.clock.advance(HOUR)
    qbo.fake.faults.latency = 0.3  # the first refresh is still in flight when the second asks
    start = threading.Barrier(2)
    tokens: list[str] = []
    errors: list[BaseException] = []

    def worker() -> None:
        store = store_for(committing, local, qbo)
        start.wait()
        try:
            tokens.append(store.access_token())
        except BaseException as error:  # reported below, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert len(tokens) == 2
    assert tokens[0] == tokens[1]
    assert token_calls(qbo) == 1
    assert stored(committing, local).access_token == tokens[0]


def _token_set(issued: dict[str, object], qbo: Harness) -> TokenSet:
    now = qbo.clock()
    return TokenSet(
        access_token=str(issued["access_token"]),
        refresh_token=str(issued["refresh_token"]),
        expires_at=now + HOUR,
        refresh_expires_at=now + timedelta(days=100),
    )


# ----- the environment ---------------------------------------------------------------------
def test_qb_refresh_token_seeds_the_first_connection_only(
    session_maker: sessionmaker[Session],
    db: Session,
    settings: Settings,
    qbo: Harness,
    service: QuickBooksConnection,
) -> None:
    seed = str(qbo.fake.issue_tokens(REALM)["refresh_token"])
    env = aimed_at(
        settings, qbo, qb_enabled=True, qb_realm_id=REALM, qb_refresh_token=SecretStr(seed)
    )
    before = service.view(db, env)
    assert (before.status, before.origin, before.realm_id) == (
        ConnectionStatus.NOT_CONFIGURED,
        "env",
        REALM,
    )

    with client_of(service, session_maker, env, qbo) as client:
        assert client.count(Invoice) == 0

    seeded = stored(session_maker, env)
    assert seeded.connection.credentials_origin == "env"
    assert seeded.connection.account_id == REALM
    assert seeded.connection.status == ConnectionStatus.CONNECTED
    assert seeded.refresh_token != seed  # rotated, and only the database has the new one
    # From now on the environment's token is ignored, whatever it says.
    ignored = env.model_copy(update={"qb_refresh_token": SecretStr("stale-or-garbage")})
    qbo.clock.advance(HOUR)
    with client_of(service, session_maker, ignored, qbo) as client:
        assert client.count(Invoice) == 0
    assert token_calls(qbo) == 2


def test_the_environment_is_not_used_without_qb_enabled(
    session_maker: sessionmaker[Session], settings: Settings, qbo: Harness
) -> None:
    seed = str(qbo.fake.issue_tokens(REALM)["refresh_token"])
    env = aimed_at(settings, qbo, qb_realm_id=REALM, qb_refresh_token=SecretStr(seed))

    with pytest.raises(NotConnected) as refused:
        QuickBooksConnection(clock=qbo.clock).client(session_maker, env)

    assert refused.value.status_code == 409
    assert token_calls(qbo) == 0


def test_a_refused_seed_fails_the_connection(
    session_maker: sessionmaker[Session], settings: Settings, qbo: Harness
) -> None:
    env = aimed_at(
        settings,
        qbo,
        qb_enabled=True,
        qb_realm_id=REALM,
        qb_refresh_token=SecretStr("RT-rotated-away-long-ago"),
    )

    with pytest.raises(ReauthorizationRequired, match="QB_REFRESH_TOKEN"):
        store_for(session_maker, env, qbo).access_token()

    row = stored(session_maker, env).connection
    assert (row.status, row.last_error) == (ConnectionStatus.FAILED, ENV_SEED_REFUSED)


def test_qb_access_token_is_a_fallback_without_oauth(
    session_maker: sessionmaker[Session],
    settings: Settings,
    qbo: Harness,
    service: QuickBooksConnection,
) -> None:
    access = str(qbo.fake.issue_tokens(REALM)["access_token"])
    env = aimed_at(
        settings,
        qbo,
        qb_client_id="",
        qb_client_secret=None,
        qb_enabled=True,
        qb_realm_id=REALM,
        qb_access_token=SecretStr(access),
    )

    with client_of(service, session_maker, env, qbo) as client:
        assert client.count(Invoice) == 0
    row = stored(session_maker, env).connection
    assert (row.credentials_origin, row.status) == ("env-access-token", ConnectionStatus.CONNECTED)
    assert row.credentials_encrypted == ""  # read from the environment, never stored

    qbo.clock.advance(HOUR)  # it expires, and nothing can refresh it
    with (
        client_of(service, session_maker, env, qbo) as client,
        pytest.raises(ReauthorizationRequired, match="configure OAuth"),
    ):
        client.count(Invoice)
    row = stored(session_maker, env).connection
    assert (row.status, row.last_error) == (ConnectionStatus.FAILED, FALLBACK_REFUSED)
    with (
        client_of(service, session_maker, env, qbo) as client,
        pytest.raises(ReauthorizationRequired),
    ):
        client.count(Invoice)
    assert token_calls(qbo) == 0

    # An operator sets a new token: the connection comes back.
    renewed = env.model_copy(
        update={"qb_access_token": SecretStr(str(qbo.fake.issue_tokens(REALM)["access_token"]))}
    )
    with client_of(service, session_maker, renewed, qbo) as client:
        assert client.count(Invoice) == 0
    assert stored(session_maker, env).connection.status == ConnectionStatus.CONNECTED


def test_nothing_configured_is_not_connected(
    session_maker: sessionmaker[Session], settings: Settings, qbo: Harness
) -> None:
    with pytest.raises(NotConnected, match="Settings > Integrations"):
        store_for(session_maker, settings, qbo).access_token()
