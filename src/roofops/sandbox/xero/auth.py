"""The fake's identity service: consent, code exchange, refresh rotation, revocation, and the
``/connections`` a consent made (spec digest section 2.1).

Access tokens live 30 minutes. A refresh token is issued only for the ``offline_access`` scope;
each refresh rotates it, and the previous one still works for a 30-minute grace (it answers with
the current refresh token, so a client whose answer was lost catches up) before it fails with
``invalid_grant``. A refresh token unused for 60 days expires. Every consent connects the
organisations ticked on the consent page; the access token reaches those tenants only.
"""

from __future__ import annotations

import base64
import binascii
import html
import secrets
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from roofops.sandbox.clock import Clock

ACCESS_LIFETIME = timedelta(minutes=30)
REFRESH_IDLE_LIFETIME = timedelta(days=60)
ROTATION_GRACE = timedelta(minutes=30)
CODE_LIFETIME = timedelta(minutes=5)
OFFLINE = "offline_access"


class OAuthFailure(Exception):
    def __init__(self, error: str, status: int = 400) -> None:
        super().__init__(error)
        self.error = error
        self.status = status


@dataclass
class Connection:
    id: str
    tenant_id: str
    auth_event_id: str
    created: datetime
    updated: datetime


@dataclass
class Grant:
    """One consent: its connections and the chain of refresh tokens rotation makes of it."""

    connections: list[Connection]
    scope: str
    refresh_token: str = ""
    last_used: datetime | None = None
    revoked: bool = False

    @property
    def tenant_ids(self) -> set[str]:
        return {connection.tenant_id for connection in self.connections}


@dataclass
class _Code:
    grant: Grant
    redirect_uri: str
    expires_at: datetime


@dataclass
class _Refresh:
    grant: Grant
    stale_since: datetime | None = None


@dataclass
class Authority:
    """Issues and checks tokens for one app (client id and secret)."""

    clock: Clock
    client_id: str
    client_secret: str
    tenants: dict[str, str] = field(default_factory=dict)  # tenant id -> organisation name
    _codes: dict[str, _Code] = field(default_factory=dict)
    _access: dict[str, tuple[Grant, datetime]] = field(default_factory=dict)
    _refresh: dict[str, _Refresh] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # ----- consent ------------------------------------------------------------------------
    def authorize(
        self, client_id: str, redirect_uri: str, scope: str, tenant_ids: list[str]
    ) -> str:
        if client_id != self.client_id:
            raise OAuthFailure("unauthorized_client")
        unknown = [tenant for tenant in tenant_ids if tenant not in self.tenants]
        if not tenant_ids or unknown:
            raise OAuthFailure("access_denied")
        code = secrets.token_urlsafe(24)
        with self._lock:
            grant = self._grant(tenant_ids, scope)
            self._codes[code] = _Code(grant, redirect_uri, self.clock() + CODE_LIFETIME)
        return code

    def exchange(self, code: str, redirect_uri: str) -> dict[str, Any]:
        with self._lock:
            found = self._codes.pop(code, None)
            if found is None or found.expires_at <= self.clock():
                raise OAuthFailure("invalid_grant")
            if found.redirect_uri != redirect_uri:
                raise OAuthFailure("invalid_grant")
            return self._issue(found.grant, rotate=True)

    def issue(
        self, tenant_ids: list[str], scope: str = f"{OFFLINE} accounting.transactions"
    ) -> dict[str, Any]:
        """A token response without the consent page, for tests and the benchmark."""
        with self._lock:
            return self._issue(self._grant(tenant_ids, scope), rotate=True)

    def adopt(
        self,
        tenant_ids: list[str],
        refresh_token: str,
        scope: str = f"{OFFLINE} accounting.transactions",
    ) -> None:
        """A refresh token issued before a restart: the fake keeps its tokens in memory."""
        with self._lock:
            grant = self._grant(tenant_ids, scope)
            grant.refresh_token, grant.last_used = refresh_token, self.clock()
            self._refresh[refresh_token] = _Refresh(grant)

    # ----- refresh and revoke ---------------------------------------------------------------
    def refresh(self, refresh_token: str) -> dict[str, Any]:
        with self._lock:
            now = self.clock()
            found = self._refresh.get(refresh_token)
            if found is None or found.grant.revoked or self._idle(found.grant, now):
                raise OAuthFailure("invalid_grant")
            if found.stale_since is not None and now >= found.stale_since + ROTATION_GRACE:
                raise OAuthFailure("invalid_grant")
            # Within the grace an old token catches up with the chain instead of forking it.
            return self._issue(found.grant, rotate=found.stale_since is None)

    def revoke(self, token: str) -> None:
        with self._lock:
            found = self._refresh.get(token)
            if found is not None:
                found.grant.revoked = True

    def check_client(self, authorization: str, form: dict[str, str]) -> None:
        """Basic authentication, or ``client_id``/``client_secret`` in the form."""
        given = _basic(authorization) or (form.get("client_id", ""), form.get("client_secret", ""))
        if given != (self.client_id, self.client_secret):
            raise OAuthFailure("invalid_client", status=401)

    # ----- access ---------------------------------------------------------------------------
    def grant_of(self, access_token: str) -> Grant | None:
        """The live grant behind an access token (None: unknown, expired or revoked)."""
        with self._lock:
            found = self._access.get(access_token)
        if found is None or found[0].revoked or self.clock() >= found[1]:
            return None
        return found[0]

    def disconnect(self, grant: Grant, connection_id: str) -> bool:
        with self._lock:
            kept = [c for c in grant.connections if c.id != connection_id]
            removed = len(kept) != len(grant.connections)
            grant.connections = kept
            return removed

    def connections(self, grant: Grant) -> list[dict[str, Any]]:
        return [
            {
                "id": connection.id,
                "authEventId": connection.auth_event_id,
                "tenantId": connection.tenant_id,
                "tenantType": "ORGANISATION",
                "tenantName": self.tenants.get(connection.tenant_id, ""),
                "createdDateUtc": _identity_time(connection.created),
                "updatedDateUtc": _identity_time(connection.updated),
            }
            for connection in grant.connections
        ]

    # ----- inside the lock --------------------------------------------------------------------
    def _grant(self, tenant_ids: list[str], scope: str) -> Grant:
        now, event = self.clock(), str(uuid.uuid4())
        connections = [
            Connection(str(uuid.uuid4()), tenant, event, now, now) for tenant in tenant_ids
        ]
        return Grant(connections, scope)

    def _idle(self, grant: Grant, now: datetime) -> bool:
        return grant.last_used is not None and now >= grant.last_used + REFRESH_IDLE_LIFETIME

    def _issue(self, grant: Grant, *, rotate: bool) -> dict[str, Any]:
        now = self.clock()
        access = _token()
        self._access[access] = (grant, now + ACCESS_LIFETIME)
        body: dict[str, Any] = {
            "id_token": _token(),
            "access_token": access,
            "expires_in": int(ACCESS_LIFETIME.total_seconds()),
            "token_type": "Bearer",
            "scope": grant.scope,
        }
        if OFFLINE in grant.scope.split():
            if rotate:
                self._rotate(grant, now)
            grant.last_used = now
            body["refresh_token"] = grant.refresh_token
        return body

    def _rotate(self, grant: Grant, now: datetime) -> None:
        if grant.refresh_token:
            self._refresh[grant.refresh_token].stale_since = now
        grant.refresh_token = _token()
        self._refresh[grant.refresh_token] = _Refresh(grant)


def _identity_time(moment: datetime) -> str:
    """The identity service's own format: no zone, seven decimals (the spec's example)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0"


def _token() -> str:
    return secrets.token_urlsafe(32)


def _basic(header: str) -> tuple[str, str] | None:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return user, password


def consent_page(authority: Authority, params: dict[str, str]) -> str:
    """Xero's consent screen, reduced: tick the organisations to connect, then Allow access."""
    hidden = "".join(
        f'<input type="hidden" name="{html.escape(key)}" value="{html.escape(value)}">'
        for key, value in params.items()
    )
    boxes = "".join(
        f'<label><input type="checkbox" name="tenant" value="{html.escape(tenant)}"'
        f"{' checked' if index == 0 else ''}> {html.escape(name)}</label><br>"
        for index, (tenant, name) in enumerate(authority.tenants.items())
    )
    return (
        "<!doctype html><title>Xero (sandbox): allow access</title>"
        "<h1>roofops wants to access your Xero organisations</h1>"
        f'<form method="post">{hidden}{boxes}<button type="submit">Allow access</button></form>'
    )
