"""OAuth 2.0 token calls shared by every vendor: authlib's httpx ``OAuth2Client`` under our
retries, timeouts and typed errors.

authlib sends the token requests and parses their answers. Around it: an injectable transport, a
short retry of 429/5xx/connect errors (under authlib, as a transport), explicit timeouts, and a
refusal turned into the vendor's :class:`OAuthError` (``invalid_grant`` into its
:class:`InvalidGrant`) instead of authlib's own errors, with no token in any message.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any, ClassVar

import httpx

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

# Someone waits for a token call (a consent callback, a refresh under a sync's row lock).
OAUTH_RETRY = INTERACTIVE_RETRY
# The token endpoint answers in well under a second; a hung one must not hold a page for long.
OAUTH_TIMEOUT = httpx.Timeout(10.0, connect=5.0)


class OAuthError(VendorAuthError):
    """The token endpoint refused: ``error`` is the OAuth error code. Each vendor names its own
    subclass (``vendor_name``, ``code``)."""

    code = "oauth_refused"
    vendor_name: ClassVar[str] = "oauth"

    def __init__(self, error: str, description: str, *, status: int, body: str = "") -> None:
        super().__init__(
            f"{error}: {description}", vendor=self.vendor_name, status=status, body=body
        )
        self.error = error
        self.description = description


class InvalidGrant(OAuthError):
    """The code or refresh token is no longer valid: the connection needs a new consent."""

    code = "oauth_invalid_grant"


@dataclass(frozen=True)
class OAuthVendor:
    """Who a token call talks to, and the errors its refusals become."""

    name: str
    refused: type[OAuthError]
    invalid_grant: type[OAuthError]


@contextmanager
def oauth_client(
    vendor: OAuthVendor,
    client_id: str,
    client_secret: str,
    *,
    transport: httpx.BaseTransport | None,
    sleep: Callable[[float], None],
    secret: str,
) -> Iterator[Any]:
    """An authlib client for one call whose refusals and failures are our typed errors.

    ``secret`` (the code or token sent) is scrubbed from any error body we keep.
    """
    retrier = Retrier(vendor.name, OAUTH_RETRY, sleep=sleep)
    with warnings.catch_warnings():
        # Imported on the first OAuth call, not at start-up (most requests never make one).
        # authlib prefers httpx2 and warns when it falls back to httpx; our stack is on httpx.
        warnings.simplefilter("ignore", DeprecationWarning)
        from authlib.integrations.httpx_client import OAuth2Client

    client = OAuth2Client(
        client_id,
        client_secret,
        token_endpoint_auth_method="client_secret_basic",  # noqa: S106 (a method's name)
        transport=RetryingTransport(retrier, transport),
        timeout=OAUTH_TIMEOUT,
        headers={"User-Agent": USER_AGENT},
    )
    # Before authlib parses an answer: a refusal must become InvalidGrant/OAuthError, not
    # authlib's own OAuthError, and a 5xx left after the retries a VendorUnavailable.
    token_answer = partial(_token_answer, vendor, secret=secret)
    client.register_compliance_hook("access_token_response", token_answer)
    client.register_compliance_hook("refresh_token_response", token_answer)
    try:
        with client:
            yield client
    except httpx.TransportError as error:
        raise unreachable(vendor.name, error) from error


def _token_answer(vendor: OAuthVendor, response: httpx.Response, secret: str) -> httpx.Response:
    """Compliance hook, before authlib parses a token answer: anything but tokens is raised as
    our typed error (authlib would raise its own OAuthError, or a bare ValueError)."""
    payload = json_object(response)
    if response.status_code >= 400 or (payload is not None and "error" in payload):
        raise refusal(vendor, response, payload, secret)
    if payload is None:
        raise VendorResponseError(
            "the token endpoint answered with a body that is not a JSON object",
            vendor=vendor.name,
            status=response.status_code,
        )
    return response


def refusal(
    vendor: OAuthVendor, response: httpx.Response, payload: dict[str, Any] | None, secret: str
) -> VendorError:
    """400/401 carry ``{"error", "error_description"}``; any other error status (429, 5xx left
    after the retries, 403) is the usual vendor error, not a reason to reconnect."""
    status = response.status_code
    if status >= 400 and status not in (400, 401):
        return error_for(vendor.name, response)
    error = str((payload or {}).get("error", "")) or "oauth_error"
    description = str((payload or {}).get("error_description", ""))
    kind = vendor.invalid_grant if error == "invalid_grant" else vendor.refused
    return kind(error, description, status=status, body=body_excerpt(response, secret))


def json_object(response: httpx.Response) -> dict[str, Any] | None:
    try:
        payload = vendor_json(response.content)
    except ValueError:
        return None
    return payload if isinstance(payload, dict) else None
