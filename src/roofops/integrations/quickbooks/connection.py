"""The QuickBooks connection: OAuth connect and disconnect, what it looks like, and its client.

Connecting is Intuit's authorization-code flow: :meth:`start_connect` hands out the consent URL
with a one-time ``state`` (kept hashed, per admin, for 15 minutes), Intuit sends the browser back
to the callback page with ``code``, ``state`` and ``realmId``, and :meth:`complete_connect`
checks the state and exchanges the code. Tokens are stored encrypted; see tokens.py for how
they are used and refreshed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial

import httpx
from sqlalchemy.orm import Session, sessionmaker

from roofops.audit.service import audit_service, change
from roofops.auth.principal import Principal
from roofops.config import Settings
from roofops.exceptions import ConfigurationError, RoofOpsError
from roofops.integrations.core.accounting import refuse_second_books
from roofops.integrations.core.connections import ConnectionView
from roofops.integrations.core.consent import mint_state, record_disconnect, take_state
from roofops.integrations.core.credentials import secret_box
from roofops.integrations.core.repository import ConnectionRepository
from roofops.integrations.quickbooks.client import QuickBooksClient
from roofops.integrations.quickbooks.oauth import (
    InvalidGrant,
    OAuthApp,
    TokenSet,
    authorization_url,
    exchange_code,
    revoke,
)
from roofops.integrations.quickbooks.tokens import (
    NOT_CONNECTED,
    ORIGIN_UI,
    PROVIDER,
    REAUTHORIZE,
    Clock,
    NotConnected,
    ReauthorizationRequired,
    TokenStore,
    api_base_url,
    env_origin,
    forget_tokens,
    has_own_app,
    lock_connection,
    oauth_app,
    oauth_configured,
    store_tokens,
    stored_refresh_token,
)
from roofops.kit.http import RateLimiter, RetryPolicy
from roofops.kit.time import utcnow
from roofops.logging import get_logger
from roofops.models.enums import ConnectionStatus
from roofops.models.integration import IntegrationConnection

log = get_logger(__name__)

CALLBACK_PATH = "/integrations/quickbooks/callback"
NO_OAUTH_APP = (
    "QuickBooks OAuth is not configured: set QB_CLIENT_ID and QB_CLIENT_SECRET (from your app "
    "at developer.intuit.com) and restart roofops"
)
STATE_REFUSED = (
    "This QuickBooks authorization is not valid any more (expired, already used, or started by "
    "someone else): click Connect QuickBooks again in Settings > Integrations"
)
CODE_REFUSED = (
    "QuickBooks did not accept the authorization code (it works once, for 10 minutes): click "
    "Connect QuickBooks again in Settings > Integrations"
)


class ConnectRefused(RoofOpsError):
    """The OAuth callback cannot complete: a wrong or stale state, a denial, a spent code."""

    status_code = 400
    code = "quickbooks_connect_refused"


@dataclass(frozen=True)
class QuickBooksView(ConnectionView):
    # ``origin``: "ui", "env", "env-access-token", "demo" or "" (nothing configured)
    realm_id: str
    company_name: str
    can_connect: bool  # an OAuth app is configured (in settings or on the connection)
    access_expires_at: datetime | None
    refresh_expires_at: datetime | None
    refresh_hard_expires_at: datetime | None


def redirect_uri(settings: Settings) -> str:
    return settings.qb_redirect_uri or f"{settings.base_url.rstrip('/')}{CALLBACK_PATH}"


class QuickBooksConnection:
    """``clock`` dates the tokens; tests pass the fake's so that expiry follows it."""

    def __init__(self, clock: Clock = utcnow) -> None:
        self.clock = clock

    # ----- what it looks like --------------------------------------------------------------
    def view(self, db: Session, settings: Settings) -> QuickBooksView:
        """Status and dates, never a token."""
        connection = ConnectionRepository(db).by_provider(PROVIDER)
        pending = env_origin(connection, settings)
        if connection is None:
            return QuickBooksView(
                ConnectionStatus.NOT_CONFIGURED,
                pending,
                realm_id=settings.qb_realm_id if pending else "",
                company_name="",
                can_connect=oauth_configured(settings),
                access_expires_at=None,
                refresh_expires_at=None,
                refresh_hard_expires_at=None,
                last_error="",
                last_success_at=None,
            )
        hard = connection.options.get("refresh_hard_expires_at")
        return QuickBooksView(
            connection.status,
            connection.credentials_origin or pending,
            realm_id=connection.account_id or (settings.qb_realm_id if pending else ""),
            company_name=connection.account_name,
            can_connect=oauth_app(connection, settings) is not None,
            access_expires_at=connection.access_expires_at,
            refresh_expires_at=connection.refresh_expires_at,
            refresh_hard_expires_at=datetime.fromisoformat(hard) if hard else None,
            last_error=connection.last_error,
            last_success_at=connection.last_success_at,
        )

    # ----- connect ----------------------------------------------------------------------------
    def start_connect(self, db: Session, settings: Settings, principal: Principal) -> str:
        """Intuit's consent URL for this admin; the browser comes back to the callback page."""
        connection = lock_connection(db)
        refuse_second_books(db, PROVIDER)
        app = self._app(connection, settings)
        state = mint_state(connection, principal, self.clock())
        db.flush()
        log.info("quickbooks.connect.started", by=principal.label)
        return authorization_url(app, redirect_uri(settings), state)

    def complete_connect(
        self,
        db: Session,
        settings: Settings,
        principal: Principal,
        *,
        code: str,
        state: str,
        realm_id: str,
        error: str = "",
    ) -> QuickBooksView:
        """The callback: check the state, exchange the code, keep the tokens. Audited."""
        connection = lock_connection(db)
        self._take_state(connection, state, principal)
        if error:
            raise ConnectRefused(
                f"QuickBooks did not authorize roofops ({error}): click Connect QuickBooks "
                "again in Settings > Integrations"
            )
        if not code or not realm_id:
            raise ConnectRefused("QuickBooks sent back no authorization code or company id")
        refuse_second_books(db, PROVIDER)
        tokens = self._exchange(self._app(connection, settings), code, settings)
        self._keep(db, settings, principal, connection, tokens=tokens, realm_id=realm_id)
        return self.view(db, settings)

    def _app(self, connection: IntegrationConnection, settings: Settings) -> OAuthApp:
        app = oauth_app(connection, settings)
        if app is None:
            raise ConfigurationError(NO_OAUTH_APP, status_code=409)
        return app

    def _take_state(
        self, connection: IntegrationConnection, state: str, principal: Principal
    ) -> None:
        """Use up the matching pending state, or refuse: it ties the callback to our request."""
        if not take_state(connection, state, principal, self.clock()):
            raise ConnectRefused(STATE_REFUSED)

    def _exchange(self, app: OAuthApp, code: str, settings: Settings) -> TokenSet:
        try:
            return exchange_code(app, code, redirect_uri(settings), clock=self.clock)
        except InvalidGrant as error:
            raise ConnectRefused(CODE_REFUSED) from error

    def _keep(
        self,
        db: Session,
        settings: Settings,
        principal: Principal,
        connection: IntegrationConnection,
        *,
        tokens: TokenSet,
        realm_id: str,
    ) -> None:
        box = secret_box(settings)
        old_realm = connection.account_id
        # Whoever configured a connection's own app stays its origin; otherwise it is this page.
        origin = connection.credentials_origin if has_own_app(box, connection) else ORIGIN_UI
        store_tokens(box, connection, tokens, origin)
        if old_realm != realm_id:
            connection.account_name = ""  # another company: the old name would be wrong
        connection.account_id = realm_id
        db.flush()
        audit_service.record(
            db,
            principal,
            action="quickbooks.connected",
            entity_type="integration",
            entity_id=connection.id,
            changes={"realm_id": change(old_realm or None, realm_id)},
        )
        log.info("quickbooks.connection.connected", realm_id=realm_id, origin=origin)

    # ----- disconnect -------------------------------------------------------------------------
    def disconnect(self, db: Session, settings: Settings, principal: Principal) -> QuickBooksView:
        """Forget the tokens and revoke them at Intuit (best effort). Audited.

        The revoke runs once this transaction has committed: no vendor call holds the database
        (on SQLite, its write lock), and a rolled-back disconnect leaves the consent intact.
        """
        connection = lock_connection(db)
        box = secret_box(settings)
        refresh_token, app = stored_refresh_token(box, connection), oauth_app(connection, settings)
        forget_tokens(box, connection)
        connection.status, connection.last_error = ConnectionStatus.DISCONNECTED, ""
        db.flush()
        revoking = partial(revoke, app, refresh_token) if refresh_token and app else None
        record_disconnect(db, principal, connection, vendor="quickbooks", revoke=revoking)
        return self.view(db, settings)

    # ----- the API client ---------------------------------------------------------------------
    def client(
        self,
        sessions: sessionmaker[Session],
        settings: Settings,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        limiter: RateLimiter | None = None,
        retry: RetryPolicy | None = None,
    ) -> QuickBooksClient:
        """A client of the connected company whose tokens come from a :class:`TokenStore`.

        Raises :class:`NotConnected` (409) when nothing is connected nor seedable from the
        environment, :class:`ReauthorizationRequired` once QuickBooks has refused the tokens.
        Call it, and the client, outside any transaction of your own (see tokens.py).
        """
        with sessions.begin() as db:
            connection = ConnectionRepository(db).by_provider(PROVIDER)
            realm_id = self._realm(connection, settings)
            base_url = api_base_url(connection, settings)
        store = TokenStore(sessions, settings, clock=self.clock, transport=transport, sleep=sleep)
        return QuickBooksClient(
            realm_id,
            store.access_token,
            on_token_rejected=store.on_token_rejected,
            base_url=base_url,
            transport=transport,
            sleep=sleep,
            limiter=limiter,
            retry=retry,
        )

    def _realm(self, connection: IntegrationConnection | None, settings: Settings) -> str:
        if connection is not None and stored_refresh_token(secret_box(settings), connection):
            if connection.status == ConnectionStatus.FAILED:
                raise ReauthorizationRequired(connection.last_error or REAUTHORIZE)
            return connection.account_id
        if env_origin(connection, settings):
            return settings.qb_realm_id
        if connection is not None and connection.status == ConnectionStatus.FAILED:
            raise ReauthorizationRequired(connection.last_error or REAUTHORIZE)
        raise NotConnected(NOT_CONNECTED)


quickbooks_connection = QuickBooksConnection()
