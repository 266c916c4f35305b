"""The Xero connection's tokens and tenant: stored encrypted, refreshed once however many
workers ask, the rotated refresh token committed before the new access token is used (ARCHITECTURE
Rule 5, spec digest section 2.1).

A refresh rotates the refresh token and the old one dies 30 minutes later, so the refresh runs
under a lock on the connection row: the first worker refreshes and commits, the others find its
tokens when they get the lock. A store built after a restart reads the same row, so it carries
on with the latest refresh token. On SQLite every transaction takes the write lock: use the
store outside any transaction of your own.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy.orm import Session, sessionmaker

from roofops.exceptions import ConfigurationError, NotFound
from roofops.integrations.core.credentials import read_credentials, write_credentials
from roofops.integrations.core.repository import ConnectionRepository
from roofops.integrations.xero.oauth import (
    REFRESH_MARGIN,
    InvalidGrant,
    OAuthApp,
    Tenant,
    TokenSet,
    exchange_code,
    refresh,
    tenants,
)
from roofops.kit.crypto import SecretBox
from roofops.kit.time import as_utc, utcnow
from roofops.logging import get_logger
from roofops.models.enums import ConnectionStatus, Provider
from roofops.models.integration import IntegrationConnection

log = get_logger(__name__)

Clock = Callable[[], datetime]
PROVIDER = Provider.XERO
NOT_CONNECTED = "Xero is not connected: connect it in Settings > Integrations"
REAUTHORIZE = "Xero refused the stored authorization: reconnect in Settings > Integrations"
APP_KEYS = frozenset({"client_id", "client_secret"})
CHOOSE_TENANT = "Xero is connected to several organisations: choose one in Settings > Integrations"


class NotConnected(ConfigurationError):
    status_code = 409
    code = "xero_not_connected"


class ReauthorizationRequired(NotConnected):
    code = "xero_reauthorization_required"


def store_tokens(
    box: SecretBox, connection: IntegrationConnection, tokens: TokenSet, origin: str
) -> None:
    """Keep a token response (encrypted) and mark the connection connected."""
    # A connection's own OAuth app (the demo sandbox's) stays beside its tokens.
    kept = {k: v for k, v in read_credentials(box, connection).items() if k in APP_KEYS}
    write_credentials(
        box,
        connection,
        {**kept, "access_token": tokens.access_token, "refresh_token": tokens.refresh_token},
        origin,
    )
    connection.access_expires_at = tokens.expires_at
    connection.refresh_expires_at = tokens.refresh_expires_at
    connection.status, connection.last_error = ConnectionStatus.CONNECTED, ""


def keep_tenants(connection: IntegrationConnection, tenants: list[Tenant]) -> None:
    """The organisations the consent reached; with one, it is chosen at once."""
    connection.options = {
        **connection.options,
        "tenants": [
            {"connection_id": t.connection_id, "tenant_id": t.tenant_id, "name": t.name}
            for t in tenants
        ],
    }
    if len(tenants) == 1:
        connection.account_id, connection.account_name = tenants[0].tenant_id, tenants[0].name


def choose_tenant(db: Session, tenant_id: str) -> IntegrationConnection:
    """Point the connection at one of the organisations its consent reached."""
    connection = ConnectionRepository(db).lock_or_add(PROVIDER)
    offered = {t["tenant_id"]: t["name"] for t in connection.options.get("tenants", [])}
    if tenant_id not in offered:
        raise NotFound(f"Xero organisation {tenant_id} is not among the connected ones")
    connection.account_id, connection.account_name = tenant_id, offered[tenant_id]
    db.flush()
    log.info("xero.connection.tenant_chosen", tenant_id=tenant_id)
    return connection


def chosen_tenant(db: Session) -> str:
    connection = ConnectionRepository(db).by_provider(PROVIDER)
    if connection is None or connection.status in (
        ConnectionStatus.NOT_CONFIGURED,
        ConnectionStatus.DISCONNECTED,
    ):
        raise NotConnected(NOT_CONNECTED)
    if connection.status == ConnectionStatus.FAILED:
        raise ReauthorizationRequired(connection.last_error or REAUTHORIZE)
    if not connection.account_id:
        raise NotConnected(CHOOSE_TENANT)
    return connection.account_id


@dataclass(frozen=True)
class _Access:
    token: str
    expires_at: datetime

    def usable(self, now: datetime, margin: timedelta) -> bool:
        return now < as_utc(self.expires_at) - margin


class _Refused(Exception):
    """Raised under the lock: the connection is marked failed, that commits, then we raise."""


class TokenStore:
    """``access_token`` and ``on_token_rejected`` for one :class:`XeroClient`."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        box: SecretBox,
        app: OAuthApp,
        *,
        clock: Clock = utcnow,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        margin: timedelta = REFRESH_MARGIN,
    ) -> None:
        self._sessions = sessions
        self._box = box
        self._app = app
        self._clock = clock
        self._transport = transport
        self._sleep = sleep
        self._margin = margin
        self._current: _Access | None = None

    def access_token(self) -> str:
        current = self._current
        if current is not None and current.usable(self._clock(), self._margin):
            return current.token
        return self._settle(rejected=None)

    def on_token_rejected(self, rejected: str) -> str:
        log.info("xero.token.rejected_by_api")
        return self._settle(rejected=rejected)

    def _settle(self, rejected: str | None) -> str:
        # Leaving the block commits: the rotated refresh token is stored before we return.
        with self._sessions.begin() as db:
            connection = ConnectionRepository(db).lock_or_add(PROVIDER)
            try:
                access: _Access | None = self._usable_or_refreshed(connection, rejected)
            except _Refused:
                connection.status, connection.last_error = ConnectionStatus.FAILED, REAUTHORIZE
                log.warning("xero.connection.failed", reason=REAUTHORIZE)
                access = None
        if access is None:
            raise ReauthorizationRequired(REAUTHORIZE)
        self._current = access
        return access.token

    def _usable_or_refreshed(
        self, connection: IntegrationConnection, rejected: str | None
    ) -> _Access:
        document = read_credentials(self._box, connection)
        if "refresh_token" not in document or connection.access_expires_at is None:
            raise NotConnected(NOT_CONNECTED)
        if connection.status != ConnectionStatus.CONNECTED:
            raise ReauthorizationRequired(connection.last_error or REAUTHORIZE)
        stored = _Access(str(document["access_token"]), connection.access_expires_at)
        # Another worker may have refreshed while we waited for the lock: its token is good.
        if stored.token != rejected and stored.usable(self._clock(), self._margin):
            return stored
        try:
            tokens = refresh(
                self._app,
                str(document["refresh_token"]),
                transport=self._transport,
                clock=self._clock,
                sleep=self._sleep,
            )
        except InvalidGrant as error:
            raise _Refused from error
        store_tokens(self._box, connection, tokens, connection.credentials_origin)
        return _Access(tokens.access_token, tokens.expires_at)


def complete_consent(
    db: Session,
    box: SecretBox,
    app: OAuthApp,
    *,
    code: str,
    redirect_uri: str,
    origin: str = "ui",
    clock: Clock = utcnow,
    transport: httpx.BaseTransport | None = None,
) -> list[Tenant]:
    """The consent's callback: exchange the code, keep the tokens and the tenants it reached
    (one is chosen at once; several wait for :func:`choose_tenant`). The caller commits."""
    tokens = exchange_code(app, code, redirect_uri, transport=transport, clock=clock)
    reached = tenants(app, tokens.access_token, transport=transport)
    connection = ConnectionRepository(db).lock_or_add(PROVIDER)
    store_tokens(box, connection, tokens, origin)
    connection.account_id = connection.account_name = ""
    keep_tenants(connection, reached)
    db.flush()
    log.info("xero.connection.connected", tenants=len(reached))
    return reached
