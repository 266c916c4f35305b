"""The Xero connection: OAuth connect (with the tenant choice), disconnect, what it looks like,
and its client.

Connecting is Xero's authorization-code flow: :meth:`XeroConnection.start_connect` hands out the
consent URL with a one-time ``state`` (kept hashed, per admin, for 15 minutes); Xero sends the
browser back to the callback page with ``code`` and ``state``, and
:meth:`XeroConnection.complete_connect` checks the state, exchanges the code and asks
``/connections`` which organisations the consent reached. One is chosen at once; several wait
for the admin's choice (:meth:`XeroConnection.choose_tenant`). A company keeps its books in
QuickBooks or Xero: connecting Xero is refused while QuickBooks is connected.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from functools import partial
from typing import Any

import httpx
from sqlalchemy.orm import Session, sessionmaker

from roofops.audit.service import audit_service, change
from roofops.auth.principal import Principal
from roofops.config import Settings
from roofops.exceptions import ConfigurationError, RoofOpsError
from roofops.integrations.core.accounting import refuse_second_books
from roofops.integrations.core.connections import ConnectionView
from roofops.integrations.core.consent import mint_state, record_disconnect, take_state
from roofops.integrations.core.credentials import read_credentials, secret_box, write_credentials
from roofops.integrations.core.repository import ConnectionRepository, SyncCursorRepository
from roofops.integrations.xero.client import XeroClient, default_limiter
from roofops.integrations.xero.oauth import (
    InvalidGrant,
    OAuthApp,
    XeroEndpoints,
    authorization_url,
    revoke,
)
from roofops.integrations.xero.tokens import (
    APP_KEYS,
    PROVIDER,
    TokenStore,
    choose_tenant,
    chosen_tenant,
    complete_consent,
)
from roofops.kit.http import RateLimiter, RetryPolicy
from roofops.kit.time import utcnow
from roofops.logging import get_logger
from roofops.models.enums import ConnectionStatus
from roofops.models.integration import IntegrationConnection

log = get_logger(__name__)

Clock = Callable[[], datetime]
CALLBACK_PATH = "/integrations/xero/callback"
HOSTS_OPTION = "xero_hosts"  # a connection's own hosts (the demo sandbox's)
ORIGIN_UI = "ui"
NO_OAUTH_APP = (
    "Xero OAuth is not configured: set XERO_CLIENT_ID and XERO_CLIENT_SECRET (from your app at "
    "developer.xero.com) and restart roofops"
)
STATE_REFUSED = (
    "This Xero authorization is not valid any more (expired, already used, or started by "
    "someone else): click Connect Xero again in Settings > Integrations"
)
CODE_REFUSED = (
    "Xero did not accept the authorization code (it works once, for 5 minutes): click Connect "
    "Xero again in Settings > Integrations"
)
NO_ORGANISATION = (
    "Xero's consent reached no organisation: click Connect Xero again and tick at least one"
)


class ConnectRefused(RoofOpsError):
    """The OAuth callback cannot complete: a wrong or stale state, a denial, a spent code."""

    status_code = 400
    code = "xero_connect_refused"


@dataclass(frozen=True)
class Organisation:
    tenant_id: str
    name: str


@dataclass(frozen=True)
class XeroView(ConnectionView):
    tenant_id: str  # the chosen organisation ("" while a choice is due)
    organisation: str
    tenants: tuple[Organisation, ...]  # what the consent reached
    can_connect: bool
    access_expires_at: datetime | None
    refresh_expires_at: datetime | None

    @property
    def needs_tenant(self) -> bool:
        return self.status == ConnectionStatus.CONNECTED and not self.tenant_id


def redirect_uri(settings: Settings) -> str:
    return settings.xero_redirect_uri or f"{settings.base_url.rstrip('/')}{CALLBACK_PATH}"


def oauth_configured(settings: Settings) -> bool:
    return bool(settings.xero_client_id) and settings.xero_client_secret is not None


def endpoints(connection: IntegrationConnection | None, settings: Settings) -> XeroEndpoints:
    own = (connection.options.get(HOSTS_OPTION) if connection is not None else None) or {}
    if own:
        return XeroEndpoints(**{key: str(value) for key, value in own.items()})
    return XeroEndpoints(
        settings.xero_authorize_url,
        settings.xero_token_url,
        settings.xero_revoke_url,
        settings.xero_base_url,
    )


def use_hosts(connection: IntegrationConnection, hosts: XeroEndpoints) -> None:
    """Give a connection hosts of its own (the demo sandbox)."""
    connection.options = {**(connection.options or {}), HOSTS_OPTION: asdict(hosts)}


def oauth_app(connection: IntegrationConnection | None, settings: Settings) -> OAuthApp | None:
    """The connection's own OAuth app if it has one, else the Xero app from settings."""
    own = _app_credentials(connection, settings)
    hosts = endpoints(connection, settings)
    if own:
        return OAuthApp(str(own["client_id"]), str(own["client_secret"]), hosts)
    if not oauth_configured(settings):
        return None
    assert settings.xero_client_secret is not None
    return OAuthApp(settings.xero_client_id, settings.xero_client_secret.get_secret_value(), hosts)


def _app_credentials(
    connection: IntegrationConnection | None, settings: Settings
) -> dict[str, Any]:
    if connection is None or not connection.credentials_encrypted:
        return {}
    stored = read_credentials(secret_box(settings), connection)
    return {key: value for key, value in stored.items() if key in APP_KEYS}


# Per tenant and process: the 60-a-minute budget and the 5 calls in flight are the tenant's.
_LIMITS: dict[str, tuple[RateLimiter, threading.BoundedSemaphore]] = {}
_LIMITS_LOCK = threading.Lock()


def _tenant_limits(tenant_id: str) -> tuple[RateLimiter, threading.BoundedSemaphore]:
    with _LIMITS_LOCK:
        if tenant_id not in _LIMITS:
            _LIMITS[tenant_id] = (default_limiter(), threading.BoundedSemaphore(5))
        return _LIMITS[tenant_id]


class XeroConnection:
    """``clock`` dates the tokens and states; tests pass the fake's so that expiry follows it."""

    def __init__(self, clock: Clock = utcnow) -> None:
        self.clock = clock

    # ----- what it looks like --------------------------------------------------------------
    def view(self, db: Session, settings: Settings) -> XeroView:
        """Status, organisation and dates, never a token."""
        connection = ConnectionRepository(db).by_provider(PROVIDER)
        if connection is None:
            return XeroView(
                ConnectionStatus.NOT_CONFIGURED,
                "",
                last_error="",
                last_success_at=None,
                tenant_id="",
                organisation="",
                tenants=(),
                can_connect=oauth_configured(settings),
                access_expires_at=None,
                refresh_expires_at=None,
            )
        offered = tuple(
            Organisation(str(t["tenant_id"]), str(t["name"]))
            for t in connection.options.get("tenants", [])
        )
        return XeroView(
            connection.status,
            connection.credentials_origin,
            last_error=connection.last_error,
            last_success_at=connection.last_success_at,
            tenant_id=connection.account_id,
            organisation=connection.account_name,
            tenants=offered,
            can_connect=oauth_app(connection, settings) is not None,
            access_expires_at=connection.access_expires_at,
            refresh_expires_at=connection.refresh_expires_at,
        )

    # ----- connect ----------------------------------------------------------------------------
    def start_connect(self, db: Session, settings: Settings, principal: Principal) -> str:
        """Xero's consent URL for this admin; the browser comes back to the callback page."""
        connection = ConnectionRepository(db).lock_or_add(PROVIDER)
        refuse_second_books(db, PROVIDER)
        app = self._app(connection, settings)
        state = mint_state(connection, principal, self.clock())
        db.flush()
        log.info("xero.connect.started", by=principal.label)
        return authorization_url(app, redirect_uri(settings), state)

    def complete_connect(
        self,
        db: Session,
        settings: Settings,
        principal: Principal,
        *,
        code: str,
        state: str,
        error: str = "",
        transport: httpx.BaseTransport | None = None,
    ) -> XeroView:
        """The callback: check the state, exchange the code, keep the tokens and the
        organisations the consent reached. Audited."""
        connection = ConnectionRepository(db).lock_or_add(PROVIDER)
        self._take_state(connection, state, principal)
        if error:
            raise ConnectRefused(
                f"Xero did not authorize roofops ({error}): click Connect Xero again in "
                "Settings > Integrations"
            )
        if not code:
            raise ConnectRefused("Xero sent back no authorization code")
        refuse_second_books(db, PROVIDER)
        app, box = self._app(connection, settings), secret_box(settings)
        old_tenant = connection.account_id
        origin = connection.credentials_origin if _app_credentials(connection, settings) else ""
        try:
            reached = complete_consent(
                db,
                box,
                app,
                code=code,
                redirect_uri=redirect_uri(settings),
                origin=origin or ORIGIN_UI,
                clock=self.clock,
                transport=transport,
            )
        except InvalidGrant as refused:
            raise ConnectRefused(CODE_REFUSED) from refused
        if not reached:
            raise ConnectRefused(NO_ORGANISATION)
        self._audit(db, principal, connection, "xero.connected", old_tenant)
        _read_again_if_moved(db, old_tenant, connection.account_id)
        return self.view(db, settings)

    def choose_tenant(
        self, db: Session, settings: Settings, principal: Principal, tenant_id: str
    ) -> XeroView:
        """Point the connection at one of the organisations its consent reached. Audited."""
        old_tenant = ConnectionRepository(db).lock_or_add(PROVIDER).account_id
        connection = choose_tenant(db, tenant_id)
        self._audit(db, principal, connection, "xero.organisation_chosen", old_tenant)
        _read_again_if_moved(db, old_tenant, connection.account_id)
        return self.view(db, settings)

    def _audit(
        self,
        db: Session,
        principal: Principal,
        connection: IntegrationConnection,
        action: str,
        old_tenant: str,
    ) -> None:
        audit_service.record(
            db,
            principal,
            action=action,
            entity_type="integration",
            entity_id=connection.id,
            changes={"tenant_id": change(old_tenant or None, connection.account_id or None)},
        )

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

    # ----- disconnect -------------------------------------------------------------------------
    def disconnect(self, db: Session, settings: Settings, principal: Principal) -> XeroView:
        """Forget the tokens and revoke the consent at Xero once this commits (best effort).
        Audited. A connection's own app (the demo's) stays, so that it can connect again."""
        connection = ConnectionRepository(db).lock_or_add(PROVIDER)
        box, app = secret_box(settings), oauth_app(connection, settings)
        stored = read_credentials(box, connection)
        refresh_token = str(stored.get("refresh_token") or "")
        own = {key: value for key, value in stored.items() if key in APP_KEYS}
        if own:
            write_credentials(box, connection, own, connection.credentials_origin)
        else:
            connection.credentials_encrypted, connection.credentials_origin = "", ""
        connection.access_expires_at = connection.refresh_expires_at = None
        connection.options = {**connection.options, "tenants": []}
        connection.account_id = connection.account_name = ""
        connection.status, connection.last_error = ConnectionStatus.DISCONNECTED, ""
        db.flush()
        revoking = partial(revoke, app, refresh_token) if refresh_token and app else None
        record_disconnect(db, principal, connection, vendor="xero", revoke=revoking)
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
    ) -> XeroClient:
        """A client of the chosen organisation whose tokens come from a :class:`TokenStore`.

        Raises ``NotConnected`` (409) without a connection or a chosen organisation,
        ``ReauthorizationRequired`` once Xero refused the tokens. Call it, and the client,
        outside any transaction of your own (see tokens.py).
        """
        with sessions.begin() as db:
            tenant_id = chosen_tenant(db)
            connection = ConnectionRepository(db).by_provider(PROVIDER)
            app = self._app(connection, settings) if connection else None
        assert app is not None
        store = TokenStore(
            sessions, secret_box(settings), app, clock=self.clock, transport=transport, sleep=sleep
        )
        shared_limiter, concurrency = _tenant_limits(tenant_id)
        return XeroClient(
            tenant_id,
            store.access_token,
            on_token_rejected=store.on_token_rejected,
            base_url=app.endpoints.api_base_url,
            transport=transport,
            sleep=sleep,
            limiter=limiter or shared_limiter,
            concurrency=concurrency,
            retry=retry,
        )


def _read_again_if_moved(db: Session, old_tenant: str, new_tenant: str) -> None:
    """Another organisation's books (or one still to choose): the next sync reads everything,
    and its reconciliation drops what only the old organisation held (an incremental read
    would miss the new one's older documents)."""
    if old_tenant and old_tenant != new_tenant:
        SyncCursorRepository(db).clear(PROVIDER)
        log.info("xero.connection.organisation_moved", tenant_id=new_tenant)


xero_connection = XeroConnection()
