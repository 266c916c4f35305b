"""Intuit OAuth 2.0 calls: authorization URL, code exchange, refresh and revoke.

Only the HTTP calls live here. Storing tokens (encrypted, per connection), the refresh lock and
persisting a rotated refresh token before using the new access token are the token store's job
(ARCHITECTURE Rule 5). A refresh may rotate the refresh token: always keep the one returned.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx

from roofops.kit.http import (
    DEFAULT_TIMEOUT,
    RetryPolicy,
    VendorAuthError,
    VendorHTTP,
    VendorResponseError,
)
from roofops.kit.time import utcnow
from roofops.logging import get_logger

log = get_logger(__name__)

VENDOR = "quickbooks-oauth"
SCOPE_ACCOUNTING = "com.intuit.quickbooks.accounting"
HARD_EXPIRY_HEADER = "x-include-refresh-token-hard-expires-in"
# Reuse an access token until this long before it expires (Rule 5).
REFRESH_MARGIN = timedelta(minutes=5)


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


class OAuthError(VendorAuthError):
    """The token endpoint refused: ``error`` is the OAuth error code."""

    code = "quickbooks_oauth"

    def __init__(self, error: str, description: str, *, status: int, body: str = "") -> None:
        super().__init__(f"{error}: {description}", vendor=VENDOR, status=status, body=body)
        self.error = error
        self.description = description


class InvalidGrant(OAuthError):
    """The code or refresh token is no longer valid: the connection needs a new consent.

    Do not retry with the same token; mark the connection ``needs_reauth``.
    """

    code = "quickbooks_invalid_grant"


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
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    tokens = _token_call(app, form, transport, clock, sleep)
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
    one keeps working for only 24 hours once QuickBooks has rotated it."""
    tokens = _token_call(
        app,
        {"grant_type": "refresh_token", "refresh_token": refresh_token},
        transport,
        clock,
        sleep,
    )
    rotated = tokens.refresh_token != refresh_token
    log.info("quickbooks.token.refreshed", rotated=rotated)
    return tokens


def revoke(
    app: OAuthApp,
    token: str,
    *,
    transport: httpx.BaseTransport | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Revoke a refresh (or access) token, ending the connection's consent."""
    with _http(transport, sleep) as http:
        http.request("POST", app.endpoints.revoke_url, json={"token": token}, headers=_basic(app))
    log.info("quickbooks.token.revoked")


def _token_call(
    app: OAuthApp,
    form: dict[str, str],
    transport: httpx.BaseTransport | None,
    clock: Callable[[], datetime],
    sleep: Callable[[float], None],
) -> TokenSet:
    # A retried refresh is safe: if the first answer was lost, the old token is still valid
    # during the 24-hour grace and returns the current tokens.
    headers = {**_basic(app), HARD_EXPIRY_HEADER: "true"}
    with _http(transport, sleep) as http:
        response = http.request("POST", app.endpoints.token_url, data=form, headers=headers)
        return _token_set(http.json(response), clock(), response)


def _http(transport: httpx.BaseTransport | None, sleep: Callable[[float], None]) -> VendorHTTP:
    return VendorHTTP(
        VENDOR,
        "",
        transport=transport,
        timeout=DEFAULT_TIMEOUT,
        retry=RetryPolicy(attempts=3),
        sleep=sleep,
        event_hooks={"response": [_refusal]},
    )


def _basic(app: OAuthApp) -> dict[str, str]:
    credentials = base64.b64encode(f"{app.client_id}:{app.client_secret}".encode()).decode()
    return {"Authorization": f"Basic {credentials}"}


def _refusal(response: httpx.Response) -> None:
    """Response hook: 400/401 from the token endpoint carry ``{"error", "error_description"}``."""
    if response.status_code not in (400, 401):
        return
    response.read()
    try:
        payload = response.json()
    except ValueError:
        payload = {}
    error = str(payload.get("error", "")) if isinstance(payload, dict) else ""
    description = str(payload.get("error_description", "")) if isinstance(payload, dict) else ""
    kind = InvalidGrant if error == "invalid_grant" else OAuthError
    raise kind(
        error or "oauth_error", description, status=response.status_code, body=response.text[:500]
    )


def _token_set(payload: Any, now: datetime, response: httpx.Response) -> TokenSet:
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
            "the token endpoint answered without the token fields",
            vendor=VENDOR,
            status=response.status_code,
        ) from exc
