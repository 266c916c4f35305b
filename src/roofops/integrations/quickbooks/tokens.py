"""The QuickBooks connection's OAuth tokens: reuse, single-flight refresh, persist before use.

ARCHITECTURE Rule 5 and spec digest section 1.2. An access token lives an hour and is reused
until 5 minutes before it expires. A refresh may rotate the refresh token, and the previous one
then works for only 24 hours more, so the refresh runs under a lock on the connection row (the
first worker refreshes, the others find its tokens when they get the lock) and its transaction
commits the rotated refresh token before the new access token is handed out. A lost commit
would otherwise strand the connection a day later with ``invalid_grant``.

The environment only seeds the first connection: ``QB_REFRESH_TOKEN`` is refreshed once and
from then on the token lives encrypted in the database. ``QB_ACCESS_TOKEN`` is a fallback for
set-ups without an OAuth app: used as it is, never stored, and it cannot be refreshed.

On SQLite every transaction takes the database's write lock (BEGIN IMMEDIATE), so use the store
outside any transaction of your own.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy.orm import Session, sessionmaker

from roofops.config import Settings
from roofops.exceptions import ConfigurationError
from roofops.integrations.core.credentials import read_credentials, secret_box, write_credentials
from roofops.integrations.core.repository import ConnectionRepository
from roofops.integrations.quickbooks.oauth import (
    REFRESH_MARGIN,
    InvalidGrant,
    OAuthApp,
    OAuthEndpoints,
    TokenSet,
    refresh,
)
from roofops.kit.crypto import SecretBox, sha256_hex
from roofops.kit.time import as_utc, utcnow
from roofops.logging import get_logger
from roofops.models.enums import ConnectionStatus, Provider
from roofops.models.integration import IntegrationConnection

log = get_logger(__name__)

Clock = Callable[[], datetime]
PROVIDER = Provider.QUICKBOOKS

ORIGIN_UI = "ui"
ORIGIN_ENV = "env"
ORIGIN_ENV_ACCESS = "env-access-token"
# A connection may bring an OAuth app of its own (kept encrypted beside its tokens) and its own
# hosts (``options``: ``api_base_url`` and ``oauth`` endpoints), for example one made against
# Intuit's development sandbox; every other connection uses the app and hosts from settings.
APP_KEYS = ("client_id", "client_secret")
API_BASE_URL_OPTION = "api_base_url"
OAUTH_OPTION = "oauth"


NOT_CONNECTED = "QuickBooks is not connected: connect it in Settings > Integrations"
REAUTHORIZE = "QuickBooks refused the stored authorization: reconnect in Settings > Integrations"
ENV_SEED_REFUSED = (
    "QuickBooks refused QB_REFRESH_TOKEN (expired, revoked or already rotated elsewhere): "
    "connect in Settings > Integrations"
)
FALLBACK_REFUSED = (
    "QuickBooks refused QB_ACCESS_TOKEN, which cannot be refreshed without OAuth: configure "
    "OAuth (QB_CLIENT_ID and QB_CLIENT_SECRET) and connect in Settings > Integrations"
)


class NotConnected(ConfigurationError):
    """No usable QuickBooks authorization: someone has to connect in Settings > Integrations."""

    status_code = 409
    code = "quickbooks_not_connected"


class ReauthorizationRequired(NotConnected):
    """QuickBooks refused what we hold; the connection is FAILED until an admin reconnects."""

    code = "quickbooks_reauthorization_required"


class _Refused(Exception):
    """Raised under the lock: the connection is marked failed, that commits, then we raise."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class _Access:
    token: str
    expires_at: datetime | None  # None for QB_ACCESS_TOKEN, whose lifetime we cannot know

    def usable(self, now: datetime, margin: timedelta) -> bool:
        return self.expires_at is None or now < as_utc(self.expires_at) - margin


# ----- the connection row ------------------------------------------------------------------
def lock_connection(db: Session) -> IntegrationConnection:
    """The QuickBooks row under SELECT ... FOR UPDATE, created on first use."""
    return ConnectionRepository(db).lock_or_add(PROVIDER)


def oauth_configured(settings: Settings) -> bool:
    return bool(settings.qb_client_id) and settings.qb_client_secret is not None


def oauth_app(connection: IntegrationConnection | None, settings: Settings) -> OAuthApp | None:
    """The connection's own OAuth app if it has one, else the Intuit app from settings."""
    own = _app_credentials(secret_box(settings), connection) if connection is not None else {}
    endpoints = _endpoints(connection, settings)
    if own:
        return OAuthApp(str(own["client_id"]), str(own["client_secret"]), endpoints)
    if not oauth_configured(settings):
        return None
    assert settings.qb_client_secret is not None
    return OAuthApp(settings.qb_client_id, settings.qb_client_secret.get_secret_value(), endpoints)


def has_own_app(box: SecretBox, connection: IntegrationConnection | None) -> bool:
    return connection is not None and bool(_app_credentials(box, connection))


def api_base_url(connection: IntegrationConnection | None, settings: Settings) -> str:
    options = connection.options if connection is not None else {}
    return str(options.get(API_BASE_URL_OPTION) or settings.qb_base_url)


def _endpoints(connection: IntegrationConnection | None, settings: Settings) -> OAuthEndpoints:
    hosts = (connection.options.get(OAUTH_OPTION) if connection is not None else None) or {}
    return OAuthEndpoints(
        str(hosts.get("authorize_url") or settings.qb_authorize_url),
        str(hosts.get("token_url") or settings.qb_token_url),
        str(hosts.get("revoke_url") or settings.qb_revoke_url),
    )


def stored_refresh_token(box: SecretBox, connection: IntegrationConnection | None) -> str | None:
    if connection is None:
        return None
    token = read_credentials(box, connection).get("refresh_token")
    return str(token) if token else None


def env_origin(connection: IntegrationConnection | None, settings: Settings) -> str:
    """Which environment credentials would serve the connection now, if any.

    ``"env"``: QB_REFRESH_TOKEN seeds a connection that never had tokens. ``"env-access-token"``:
    QB_ACCESS_TOKEN, only without an OAuth app. Both need QB_ENABLED: seeding rotates the token,
    which breaks any other deployment still holding it a day later, so it must be meant.
    """
    if not settings.qb_enabled or not settings.qb_realm_id:
        return ""
    if has_own_app(secret_box(settings), connection):
        return ""
    status = connection.status if connection else ConnectionStatus.NOT_CONFIGURED
    origin = connection.credentials_origin if connection else ""
    if oauth_configured(settings):
        seedable = settings.qb_refresh_token is not None
        return ORIGIN_ENV if seedable and status == ConnectionStatus.NOT_CONFIGURED else ""
    usable = origin in ("", ORIGIN_ENV_ACCESS) and status != ConnectionStatus.DISCONNECTED
    return ORIGIN_ENV_ACCESS if settings.qb_access_token is not None and usable else ""


def store_tokens(
    box: SecretBox, connection: IntegrationConnection, tokens: TokenSet, origin: str
) -> None:
    """Keep a token response (encrypted) and mark the connection connected."""
    document = _app_credentials(box, connection)
    document.update(access_token=tokens.access_token, refresh_token=tokens.refresh_token)
    write_credentials(box, connection, document, origin)
    hard = tokens.refresh_hard_expires_at
    connection.options = {
        **connection.options,
        "refresh_hard_expires_at": hard.isoformat() if hard else None,
    }
    connection.access_expires_at = tokens.expires_at
    connection.refresh_expires_at = tokens.refresh_expires_at
    connection.status, connection.last_error = ConnectionStatus.CONNECTED, ""


def forget_tokens(box: SecretBox, connection: IntegrationConnection) -> None:
    """Drop the tokens; a connection's own app stays, so that it can connect again."""
    document = _app_credentials(box, connection)
    if document:
        write_credentials(box, connection, document, connection.credentials_origin)
    else:
        connection.credentials_encrypted, connection.credentials_origin = "", ""
    connection.options = {**connection.options, "refresh_hard_expires_at": None}
    connection.access_expires_at = connection.refresh_expires_at = None


def _app_credentials(box: SecretBox, connection: IntegrationConnection) -> dict[str, Any]:
    stored = read_credentials(box, connection)
    return {key: value for key, value in stored.items() if key in APP_KEYS}


# ----- the store ---------------------------------------------------------------------------
class TokenStore:
    """Access tokens for one QuickBooks client; any number of stores, threads and processes
    may share the connection.

    ``access_token`` is the client's ``access_token_provider`` and ``on_token_rejected`` its 401
    callback. Both raise :class:`NotConnected` (409) when there is nothing to use, and
    :class:`ReauthorizationRequired` once QuickBooks has refused the stored authorization.
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        settings: Settings,
        *,
        clock: Clock = utcnow,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        margin: timedelta = REFRESH_MARGIN,
    ) -> None:
        self._sessions = sessions
        self._settings = settings
        self._box = secret_box(settings)
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
        """A fresh token after a 401: one refresh, unless another worker already made one."""
        log.info("quickbooks.token.rejected_by_api")
        return self._settle(rejected=rejected)

    def _settle(self, rejected: str | None) -> str:
        # Leaving the block commits: the rotated refresh token is stored before we return.
        with self._sessions.begin() as db:
            outcome = self._settle_locked(lock_connection(db), rejected)
        if isinstance(outcome, str):
            raise ReauthorizationRequired(outcome)
        self._current = outcome
        return outcome.token

    def _settle_locked(
        self, connection: IntegrationConnection, rejected: str | None
    ) -> _Access | str:
        """The token to use, or why the connection is now FAILED (committed with it)."""
        try:
            return self._usable_or_refreshed(connection, rejected)
        except _Refused as refused:
            connection.status, connection.last_error = ConnectionStatus.FAILED, refused.message
            log.warning("quickbooks.connection.failed", reason=refused.message)
            return refused.message

    def _usable_or_refreshed(
        self, connection: IntegrationConnection, rejected: str | None
    ) -> _Access:
        document = read_credentials(self._box, connection)
        if "refresh_token" not in document:
            return self._from_environment(connection, rejected)
        if connection.status != ConnectionStatus.CONNECTED:
            raise ReauthorizationRequired(connection.last_error or REAUTHORIZE)
        stored = _Access(str(document["access_token"]), connection.access_expires_at)
        # Another worker may have refreshed while we waited for the lock: its token is good.
        if stored.token != rejected and stored.usable(self._clock(), self._margin):
            return stored
        origin = connection.credentials_origin
        return self._refresh(connection, str(document["refresh_token"]), origin, REAUTHORIZE)

    def _refresh(
        self, connection: IntegrationConnection, refresh_token: str, origin: str, refused: str
    ) -> _Access:
        app = oauth_app(connection, self._settings)
        if app is None:
            raise NotConnected(
                "QuickBooks OAuth is not configured: set QB_CLIENT_ID and QB_CLIENT_SECRET"
            )
        try:
            tokens = refresh(
                app, refresh_token, transport=self._transport, clock=self._clock, sleep=self._sleep
            )
        except InvalidGrant as error:
            raise _Refused(refused) from error
        store_tokens(self._box, connection, tokens, origin)
        return _Access(tokens.access_token, tokens.expires_at)

    def _from_environment(self, connection: IntegrationConnection, rejected: str | None) -> _Access:
        origin = env_origin(connection, self._settings)
        if origin == ORIGIN_ENV:
            assert self._settings.qb_refresh_token is not None
            connection.account_id = self._settings.qb_realm_id
            seed = self._settings.qb_refresh_token.get_secret_value()
            log.info("quickbooks.connection.seeded_from_env", realm_id=connection.account_id)
            return self._refresh(connection, seed, ORIGIN_ENV, ENV_SEED_REFUSED)
        if origin == ORIGIN_ENV_ACCESS:
            return self._env_access_token(connection, rejected)
        if connection.status == ConnectionStatus.FAILED:
            raise ReauthorizationRequired(connection.last_error or REAUTHORIZE)
        raise NotConnected(NOT_CONNECTED)

    def _env_access_token(self, connection: IntegrationConnection, rejected: str | None) -> _Access:
        """QB_ACCESS_TOKEN as it is. A refused one is remembered (by digest) so that only a new
        value, set by an operator, brings the connection back."""
        assert self._settings.qb_access_token is not None
        token = self._settings.qb_access_token.get_secret_value()
        digest = sha256_hex(token)
        if connection.options.get("refused_access_token") == digest:
            raise ReauthorizationRequired(connection.last_error or FALLBACK_REFUSED)
        connection.credentials_origin = ORIGIN_ENV_ACCESS
        connection.account_id = self._settings.qb_realm_id
        if token == rejected:
            connection.options = {**connection.options, "refused_access_token": digest}
            raise _Refused(FALLBACK_REFUSED)
        connection.status, connection.last_error = ConnectionStatus.CONNECTED, ""
        return _Access(token, None)
