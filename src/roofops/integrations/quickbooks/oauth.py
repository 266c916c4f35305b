"""Intuit OAuth 2.0 calls: authorization URL, code exchange, refresh and revoke.

The calls go through authlib's httpx ``OAuth2Client`` (Basic client authentication, the token
request bodies, parsing the token response). Around it we keep what Intuit and our rules need:
the hard-expiry header and field, our :class:`TokenSet`, :class:`InvalidGrant` and
:class:`OAuthError` instead of authlib's errors, explicit timeouts, an injectable transport, a
short retry of 429/5xx/connect errors (:data:`OAUTH_RETRY`, under authlib as a transport), and
no token in any log line or exception message.

Only the HTTP calls live here. Storing tokens (encrypted, per connection), the refresh lock and
persisting a rotated refresh token before using the new access token are the token store's job
(ARCHITECTURE Rule 5). A refresh may rotate the refresh token: always keep the one returned.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from urllib.parse import urlencode

import httpx
from authlib.oauth2.client import DEFAULT_HEADERS

from roofops.integrations.core.runs import INTERACTIVE_RETRY
from roofops.kit.http import (
    USER_AGENT,
    Retrier,
    RetryingTransport,
    VendorAuthError,
    VendorError,
    VendorResponseError,
    body_excerpt,
    error_for,
    unreachable,
    vendor_json,
)
from roofops.kit.time import utcnow
from roofops.logging import get_logger

log = get_logger(__name__)

VENDOR = "quickbooks-oauth"
SCOPE_ACCOUNTING = "com.intuit.quickbooks.accounting"
HARD_EXPIRY_HEADER = "x-include-refresh-token-hard-expires-in"
# Reuse an access token until this long before it expires (Rule 5).
REFRESH_MARGIN = timedelta(minutes=5)
OAUTH_RETRY = INTERACTIVE_RETRY
# The token endpoint answers in well under a second; a hung one must not hold a page for long.
OAUTH_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
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
    with _oauth_client(app, transport, sleep, secret=code) as client:
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
    with _oauth_client(app, transport, sleep, secret=refresh_token) as client:
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
    with _oauth_client(app, transport, sleep, secret=token) as client:
        # Intuit's revoke endpoint takes JSON, not RFC 7009's form that authlib's
        # revoke_token sends: post it ourselves with the client's Basic authentication.
        basic = client.client_auth(client.token_endpoint_auth_method)
        response = client.post(app.endpoints.revoke_url, json={"token": token}, auth=basic)
        if response.status_code >= 400:
            raise _refusal(response, _json_object(response), token)
    log.info("quickbooks.token.revoked")


@contextmanager
def _oauth_client(
    app: OAuthApp,
    transport: httpx.BaseTransport | None,
    sleep: Callable[[float], None],
    *,
    secret: str,
) -> Iterator[Any]:
    """An authlib client for one call whose refusals and failures are our typed errors.

    ``secret`` (the code or token sent) is scrubbed from any error body we keep.
    """
    retrier = Retrier(VENDOR, OAUTH_RETRY, sleep=sleep)
    with warnings.catch_warnings():
        # Imported on the first OAuth call, not at start-up (most requests never make one).
        # authlib prefers httpx2 and warns when it falls back to httpx; our stack is on httpx.
        warnings.simplefilter("ignore", DeprecationWarning)
        from authlib.integrations.httpx_client import OAuth2Client

    client = OAuth2Client(
        app.client_id,
        app.client_secret,
        token_endpoint_auth_method="client_secret_basic",  # noqa: S106 (a method's name)
        transport=RetryingTransport(retrier, transport),
        timeout=OAUTH_TIMEOUT,
        headers={"User-Agent": USER_AGENT},
    )
    # Before authlib parses an answer: a refusal must become InvalidGrant/OAuthError, not
    # authlib's own OAuthError, and a 5xx left after the retries a VendorUnavailable.
    token_answer = partial(_token_answer, secret=secret)
    client.register_compliance_hook("access_token_response", token_answer)
    client.register_compliance_hook("refresh_token_response", token_answer)
    try:
        with client:
            yield client
    except httpx.TransportError as error:
        raise unreachable(VENDOR, error) from error


def _token_answer(response: httpx.Response, secret: str) -> httpx.Response:
    """Compliance hook, before authlib parses a token answer: anything but tokens is raised as
    our typed error (authlib would raise its own OAuthError, or a bare ValueError)."""
    payload = _json_object(response)
    if response.status_code >= 400 or (payload is not None and "error" in payload):
        raise _refusal(response, payload, secret)
    if payload is None:
        raise VendorResponseError(
            "the token endpoint answered with a body that is not a JSON object",
            vendor=VENDOR,
            status=response.status_code,
        )
    return response


def _refusal(response: httpx.Response, payload: dict[str, Any] | None, secret: str) -> VendorError:
    """400/401 carry ``{"error", "error_description"}``; any other error status (429, 5xx left
    after the retries, 403) is the usual vendor error, not a reason to reconnect."""
    status = response.status_code
    if status >= 400 and status not in (400, 401):
        return error_for(VENDOR, response)
    error = str((payload or {}).get("error", "")) or "oauth_error"
    description = str((payload or {}).get("error_description", ""))
    kind = InvalidGrant if error == "invalid_grant" else OAuthError
    return kind(error, description, status=status, body=body_excerpt(response, secret))


def _json_object(response: httpx.Response) -> dict[str, Any] | None:
    try:
        payload = vendor_json(response.content)
    except ValueError:
        return None
    return payload if isinstance(payload, dict) else None


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
