"""Xero's OAuth 2.0 calls: consent URL, code exchange, refresh, revocation, and the tenants a
consent reached (``GET /connections``), spec digest section 2.1.

Access tokens live 30 minutes; a refresh rotates the refresh token, and the old one keeps
working for 30 minutes only, so keep the one returned before using the new access token (the
token store commits it first). Client credentials go in a Basic header, which Xero accepts.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx

from roofops.integrations.core import oauth as core_oauth
from roofops.integrations.core.oauth import OAuthVendor, json_object, oauth_client, refusal
from roofops.integrations.core.runs import INTERACTIVE_RETRY
from roofops.kit.http import VendorHTTP, VendorResponseError
from roofops.kit.time import utcnow
from roofops.logging import get_logger

log = get_logger(__name__)

VENDOR = "xero-identity"
# Spec v16.1.0's scopes; apps created from March 2026 ask for the granular ones instead.
SCOPES = (
    "offline_access",
    "accounting.transactions",
    "accounting.contacts",
    "accounting.settings.read",
)
REFRESH_MARGIN = timedelta(minutes=5)
REFRESH_IDLE_LIFETIME = timedelta(days=60)


@dataclass(frozen=True)
class XeroEndpoints:
    authorize_url: str
    token_url: str
    revoke_url: str
    api_base_url: str  # /connections and /api.xro/2.0 live here

    @classmethod
    def at(cls, base_url: str) -> XeroEndpoints:
        """All on one host, as the fake serves them."""
        base = base_url.rstrip("/")
        return cls(
            f"{base}/identity/connect/authorize",
            f"{base}/connect/token",
            f"{base}/connect/revocation",
            base,
        )


XERO = XeroEndpoints(
    "https://login.xero.com/identity/connect/authorize",
    "https://identity.xero.com/connect/token",
    "https://identity.xero.com/connect/revocation",
    "https://api.xero.com",
)


@dataclass(frozen=True)
class OAuthApp:
    client_id: str
    client_secret: str = field(repr=False)
    endpoints: XeroEndpoints = XERO


@dataclass(frozen=True)
class TokenSet:
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: datetime
    refresh_expires_at: datetime  # 60 days unused; every refresh starts the count again


@dataclass(frozen=True)
class Tenant:
    connection_id: str
    tenant_id: str
    name: str


class OAuthError(core_oauth.OAuthError):
    code = "xero_oauth"
    vendor_name = VENDOR


class InvalidGrant(OAuthError, core_oauth.InvalidGrant):
    """The code or refresh token is spent or expired: the connection needs a new consent."""

    code = "xero_invalid_grant"


XERO_OAUTH = OAuthVendor(VENDOR, OAuthError, InvalidGrant)
Sleep = Callable[[float], None]


def authorization_url(
    app: OAuthApp, redirect_uri: str, state: str, scopes: tuple[str, ...] = SCOPES
) -> str:
    query = {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": redirect_uri,
        "scope": " ".join(scopes),
        "state": state,
    }
    return f"{app.endpoints.authorize_url}?{urlencode(query)}"


def exchange_code(
    app: OAuthApp,
    code: str,
    redirect_uri: str,
    *,
    transport: httpx.BaseTransport | None = None,
    clock: Callable[[], datetime] = utcnow,
    sleep: Sleep = time.sleep,
) -> TokenSet:
    with _client(app, transport, sleep, code) as client:
        payload = client.fetch_token(
            app.endpoints.token_url,
            grant_type="authorization_code",
            code=code,
            redirect_uri=redirect_uri,
        )
    log.info("xero.token.exchanged")
    return _token_set(payload, clock())


def refresh(
    app: OAuthApp,
    refresh_token: str,
    *,
    transport: httpx.BaseTransport | None = None,
    clock: Callable[[], datetime] = utcnow,
    sleep: Sleep = time.sleep,
) -> TokenSet:
    """New tokens; persist the returned refresh token before using the access token."""
    with _client(app, transport, sleep, refresh_token) as client:
        payload = client.refresh_token(app.endpoints.token_url, refresh_token=refresh_token)
    tokens = _token_set(payload, clock())
    log.info("xero.token.refreshed", rotated=tokens.refresh_token != refresh_token)
    return tokens


def revoke(
    app: OAuthApp,
    refresh_token: str,
    *,
    transport: httpx.BaseTransport | None = None,
    sleep: Sleep = time.sleep,
) -> None:
    """End the consent (RFC 7009 form post); every connection it made goes with it."""
    with _client(app, transport, sleep, refresh_token) as client:
        basic = client.client_auth(client.token_endpoint_auth_method)
        form = {"token": refresh_token, "token_type_hint": "refresh_token"}
        response = client.post(app.endpoints.revoke_url, data=form, auth=basic)
        if response.status_code >= 400:
            raise refusal(XERO_OAUTH, response, json_object(response), refresh_token)
    log.info("xero.token.revoked")


def tenants(
    app: OAuthApp,
    access_token: str,
    *,
    transport: httpx.BaseTransport | None = None,
    sleep: Sleep = time.sleep,
) -> list[Tenant]:
    """The organisations this consent reached (``GET /connections``)."""
    with VendorHTTP(
        VENDOR,
        app.endpoints.api_base_url,
        transport=transport,
        retry=INTERACTIVE_RETRY,
        sleep=sleep,
    ) as http:
        response = http.request(
            "GET", "/connections", headers={"Authorization": f"Bearer {access_token}"}
        )
        rows = http.json(response)
    try:
        return [
            Tenant(str(row["id"]), str(row["tenantId"]), str(row["tenantName"])) for row in rows
        ]
    except (KeyError, TypeError) as exc:
        raise VendorResponseError(
            "Xero's connections answer lacks tenant ids", vendor=VENDOR, status=200
        ) from exc


def _client(app: OAuthApp, transport: httpx.BaseTransport | None, sleep: Sleep, secret: str) -> Any:
    return oauth_client(
        XERO_OAUTH,
        app.client_id,
        app.client_secret,
        transport=transport,
        sleep=sleep,
        secret=secret,
    )


def _token_set(payload: Any, now: datetime) -> TokenSet:
    try:
        return TokenSet(
            access_token=str(payload["access_token"]),
            refresh_token=str(payload["refresh_token"]),
            expires_at=now + timedelta(seconds=int(payload["expires_in"])),
            refresh_expires_at=now + REFRESH_IDLE_LIFETIME,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise VendorResponseError(
            "the token endpoint answered without the token fields (was offline_access asked?)",
            vendor=VENDOR,
            status=200,
        ) from exc
