"""Intuit OAuth 2.0 calls: authorization URL, code exchange, refresh and revoke.

The calls go through authlib's httpx ``OAuth2Client`` as every vendor's do
(:mod:`roofops.integrations.core.oauth`: retries, timeouts, typed errors, no token in any
message). What is Intuit's is here: the hard-expiry header and field, our :class:`TokenSet`, and
:class:`InvalidGrant`/:class:`OAuthError` with QuickBooks' error codes.

Only the HTTP calls live here. Storing tokens (encrypted, per connection), the refresh lock and
persisting a rotated refresh token before using the new access token are the token store's job
(ARCHITECTURE Rule 5). A refresh may rotate the refresh token: always keep the one returned.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
from authlib.oauth2.client import DEFAULT_HEADERS

from roofops.integrations.core import oauth as core_oauth
from roofops.integrations.core.oauth import OAuthVendor, json_object, oauth_client, refusal
from roofops.kit.http import VendorResponseError
from roofops.kit.time import utcnow
from roofops.logging import get_logger

log = get_logger(__name__)

VENDOR = "quickbooks-oauth"
SCOPE_ACCOUNTING = "com.intuit.quickbooks.accounting"
HARD_EXPIRY_HEADER = "x-include-refresh-token-hard-expires-in"
# Reuse an access token until this long before it expires (Rule 5).
REFRESH_MARGIN = timedelta(minutes=5)
TOKEN_HEADERS = {**DEFAULT_HEADERS, HARD_EXPIRY_HEADER: "true"}


@dataclass(frozen=True)
class OAuthEndpoints:
    authorize_url: str
    token_url: str
    revoke_url: str

    @classmethod
    def at(cls, base_url: str) -> OAuthEndpoints:
        """All three on one host, as the fake serves them."""
        base = base_url.rstrip("/")
        return cls(
            f"{base}/connect/oauth2",
            f"{base}/oauth2/v1/tokens/bearer",
            f"{base}/v2/oauth2/tokens/revoke",
        )


INTUIT = OAuthEndpoints(
    "https://appcenter.intuit.com/connect/oauth2",
    "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer",
    "https://developer.api.intuit.com/v2/oauth2/tokens/revoke",
)


@dataclass(frozen=True)
class OAuthApp:
    """The app's credentials (from settings) and where to send them."""

    client_id: str
    client_secret: str = field(repr=False)
    endpoints: OAuthEndpoints = INTUIT


@dataclass(frozen=True)
class TokenSet:
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: datetime
    refresh_expires_at: datetime
    refresh_hard_expires_at: datetime | None = None

    def access_usable(self, now: datetime, margin: timedelta = REFRESH_MARGIN) -> bool:
        return now < self.expires_at - margin


class OAuthError(core_oauth.OAuthError):
    """Intuit's token endpoint refused: ``error`` is the OAuth error code."""

    code = "quickbooks_oauth"
    vendor_name = VENDOR


class InvalidGrant(OAuthError, core_oauth.InvalidGrant):
    """The code or refresh token is no longer valid: the connection needs a new consent.

    Do not retry with the same token; mark the connection ``needs_reauth``.
    """

    code = "quickbooks_invalid_grant"


INTUIT_OAUTH = OAuthVendor(VENDOR, OAuthError, InvalidGrant)


def authorization_url(
    app: OAuthApp, redirect_uri: str, state: str, scopes: tuple[str, ...] = (SCOPE_ACCOUNTING,)
) -> str:
    query = {
        "client_id": app.client_id,
        "response_type": "code",
        "scope": " ".join(scopes),
        "redirect_uri": redirect_uri,
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
    sleep: Callable[[float], None] = time.sleep,
) -> TokenSet:
    with _client(app, transport, sleep, code) as client:
        payload = client.fetch_token(
            app.endpoints.token_url,
            grant_type="authorization_code",
            code=code,
            redirect_uri=redirect_uri,
            headers=TOKEN_HEADERS,
        )
    tokens = _token_set(payload, clock())
    log.info("quickbooks.token.exchanged")
    return tokens


def refresh(
    app: OAuthApp,
    refresh_token: str,
    *,
    transport: httpx.BaseTransport | None = None,
    clock: Callable[[], datetime] = utcnow,
    sleep: Callable[[float], None] = time.sleep,
) -> TokenSet:
    """New tokens. Persist the returned refresh token before using the access token: the old
    one keeps working for only 24 hours once QuickBooks has rotated it.

    A retried refresh is safe: if the first answer was lost, the old token is still valid
    during the 24-hour grace and returns the current tokens."""
    with _client(app, transport, sleep, refresh_token) as client:
        payload = client.refresh_token(
            app.endpoints.token_url, refresh_token=refresh_token, headers=TOKEN_HEADERS
        )
    tokens = _token_set(payload, clock())
    log.info("quickbooks.token.refreshed", rotated=tokens.refresh_token != refresh_token)
    return tokens


def revoke(
    app: OAuthApp,
    token: str,
    *,
    transport: httpx.BaseTransport | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Revoke a refresh (or access) token, ending the connection's consent."""
    with _client(app, transport, sleep, token) as client:
        # Intuit's revoke endpoint takes JSON, not RFC 7009's form that authlib's
        # revoke_token sends: post it ourselves with the client's Basic authentication.
        basic = client.client_auth(client.token_endpoint_auth_method)
        response = client.post(app.endpoints.revoke_url, json={"token": token}, auth=basic)
        if response.status_code >= 400:
            raise refusal(INTUIT_OAUTH, response, json_object(response), token)
    log.info("quickbooks.token.revoked")


def _client(
    app: OAuthApp,
    transport: httpx.BaseTransport | None,
    sleep: Callable[[float], None],
    secret: str,
) -> Any:
    return oauth_client(
        INTUIT_OAUTH,
        app.client_id,
        app.client_secret,
        transport=transport,
        sleep=sleep,
        secret=secret,
    )


def _token_set(payload: Any, now: datetime) -> TokenSet:
    try:
        hard = payload.get("x_refresh_token_hard_expires_in")
        return TokenSet(
            access_token=str(payload["access_token"]),
            refresh_token=str(payload["refresh_token"]),
            expires_at=now + timedelta(seconds=int(payload["expires_in"])),
            refresh_expires_at=now + timedelta(seconds=int(payload["x_refresh_token_expires_in"])),
            refresh_hard_expires_at=now + timedelta(seconds=int(hard)) if hard else None,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise VendorResponseError(
            "the token endpoint answered without the token fields", vendor=VENDOR, status=200
        ) from exc
