"""The fake's OAuth 2.0 server: consent, code exchange, refresh-token rotation and revoke.

Lifetimes follow spec digest section 1.2: access tokens live an hour; refresh tokens 100 days,
rolling, capped at 5 years; a refresh rotates the token and the previous one keeps working for
24 hours (it returns the current token then), after which it fails with ``invalid_grant``.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse

from roofops.sandbox.clock import Clock

ACCESS_LIFETIME = timedelta(hours=1)
REFRESH_LIFETIME = timedelta(days=100)
REFRESH_HARD_LIFETIME = timedelta(days=5 * 365)
STALE_GRACE = timedelta(hours=24)
CODE_LIFETIME = timedelta(minutes=10)
HARD_EXPIRY_HEADER = "x-include-refresh-token-hard-expires-in"


class OAuthFailure(Exception):
    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


def invalid_grant() -> OAuthFailure:
    return OAuthFailure("invalid_grant", "Incorrect or invalid refresh token")


@dataclass
class Grant:
    """One consent: the chain of tokens that rotation produces for one realm."""

    realm_id: str
    refresh_token: str
    refresh_expires_at: datetime
    hard_expires_at: datetime
    revoked: bool = False


@dataclass
class _Code:
    realm_id: str
    redirect_uri: str
    expires_at: datetime


@dataclass
class _Access:
    grant: Grant
    expires_at: datetime


class TokenAuthority:
    """Issues and checks tokens; one per fake, shared by every realm it serves."""

    def __init__(self, clock: Clock, client_id: str, client_secret: str) -> None:
        self.clock = clock
        self.client_id = client_id
        self.client_secret = client_secret
        self.consent_realm = ""
        self._codes: dict[str, _Code] = {}
        self._access: dict[str, _Access] = {}
        self._refresh: dict[str, tuple[Grant, datetime | None]] = {}
        self._lock = threading.Lock()

    def authorize(self, client_id: str, redirect_uri: str) -> str:
        if client_id != self.client_id:
            raise OAuthFailure("invalid_client", "Unknown client_id")
        code = secrets.token_urlsafe(24)
        with self._lock:
            expires = self.clock() + CODE_LIFETIME
            self._codes[code] = _Code(self.consent_realm, redirect_uri, expires)
        return code

    def exchange(
        self, code: str, redirect_uri: str, *, hard_expiry: bool = False
    ) -> dict[str, Any]:
        with self._lock:
            found = self._codes.pop(code, None)
            if found is None or found.expires_at <= self.clock():
                raise OAuthFailure("invalid_grant", "Authorization code is invalid or expired")
            if found.redirect_uri != redirect_uri:
                raise OAuthFailure("invalid_grant", "redirect_uri does not match")
            return self._issue(self._new_grant(found.realm_id), hard_expiry=hard_expiry)

    def issue(self, realm_id: str) -> dict[str, Any]:
        """A token response without the consent dance, for tests and the benchmark."""
        with self._lock:
            return self._issue(self._new_grant(realm_id), hard_expiry=False)

    def refresh(self, refresh_token: str, *, hard_expiry: bool = False) -> dict[str, Any]:
        with self._lock:
            grant, stale_until = self._refresh.get(refresh_token, (None, None))
            now = self.clock()
            if grant is None or grant.revoked or now >= _expiry(grant):
                raise invalid_grant()
            if refresh_token == grant.refresh_token:
                self._rotate(grant, now)
            elif stale_until is None or now >= stale_until:
                raise invalid_grant()
            grant.refresh_expires_at = now + REFRESH_LIFETIME
            return self._issue(grant, hard_expiry=hard_expiry)

    def revoke(self, token: str) -> None:
        with self._lock:
            grant = self._refresh.get(token, (None, None))[0]
            access = self._access.get(token)
            grant = grant or (access.grant if access else None)
            if grant is None:
                raise OAuthFailure("invalid_request", "Token is invalid")
            grant.revoked = True

    def check_access(self, token: str, realm_id: str) -> bool:
        with self._lock:
            access = self._access.get(token)
        if access is None or access.grant.revoked or access.grant.realm_id != realm_id:
            return False
        return self.clock() < access.expires_at

    def check_client(self, authorization: str) -> None:
        if _basic_credentials(authorization) != (self.client_id, self.client_secret):
            raise OAuthFailure("invalid_client", "Client authentication failed", status=401)

    def _new_grant(self, realm_id: str) -> Grant:
        now = self.clock()
        token = _token("RT1")
        grant = Grant(realm_id, token, now + REFRESH_LIFETIME, now + REFRESH_HARD_LIFETIME)
        self._refresh[token] = (grant, None)
        return grant

    def _rotate(self, grant: Grant, now: datetime) -> None:
        self._refresh[grant.refresh_token] = (grant, now + STALE_GRACE)
        grant.refresh_token = _token("RT1")
        self._refresh[grant.refresh_token] = (grant, None)

    def _issue(self, grant: Grant, *, hard_expiry: bool) -> dict[str, Any]:
        now = self.clock()
        access = _token("eyJ")
        self._access[access] = _Access(grant, now + ACCESS_LIFETIME)
        body: dict[str, Any] = {
            "access_token": access,
            "refresh_token": grant.refresh_token,
            "token_type": "bearer",
            "expires_in": int(ACCESS_LIFETIME.total_seconds()),
            "x_refresh_token_expires_in": _seconds_until(_expiry(grant), now),
        }
        if hard_expiry:
            body["x_refresh_token_hard_expires_in"] = _seconds_until(grant.hard_expires_at, now)
        return body


def _expiry(grant: Grant) -> datetime:
    return min(grant.refresh_expires_at, grant.hard_expires_at)


def _seconds_until(moment: datetime, now: datetime) -> int:
    return max(0, int((moment - now).total_seconds()))


def _token(prefix: str) -> str:
    return f"{prefix}{secrets.token_urlsafe(32)}"


def _basic_credentials(header: str) -> tuple[str, str] | None:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return user, password


def oauth_routes(authority: TokenAuthority) -> APIRouter:
    router = APIRouter()

    @router.get("/connect/oauth2")
    def consent(request: Request) -> Response:
        """The demo's consent screen: approves at once and sends the browser back."""
        params = request.query_params
        redirect_uri = params.get("redirect_uri", "")
        try:
            code = authority.authorize(params.get("client_id", ""), redirect_uri)
        except OAuthFailure as failure:
            return _failure(failure)
        answer = {
            "code": code,
            "state": params.get("state", ""),
            "realmId": authority.consent_realm,
        }
        separator = "&" if "?" in redirect_uri else "?"
        return RedirectResponse(f"{redirect_uri}{separator}{urlencode(answer)}", status_code=302)

    @router.post("/oauth2/v1/tokens/bearer")
    async def token(request: Request) -> Response:
        form = await request.form()
        fields = {key: str(value) for key, value in form.items()}
        hard = request.headers.get(HARD_EXPIRY_HEADER, "").lower() == "true"
        try:
            authority.check_client(request.headers.get("Authorization", ""))
            return JSONResponse(_grant(authority, fields, hard_expiry=hard))
        except OAuthFailure as failure:
            return _failure(failure)

    @router.post("/v2/oauth2/tokens/revoke")
    async def revoke(request: Request) -> Response:
        try:
            authority.check_client(request.headers.get("Authorization", ""))
            authority.revoke(str((await request.json()).get("token", "")))
        except OAuthFailure as failure:
            return _failure(failure)
        return Response(status_code=200)

    return router


def _grant(
    authority: TokenAuthority, fields: dict[str, str], *, hard_expiry: bool
) -> dict[str, Any]:
    grant_type = fields.get("grant_type", "")
    if grant_type == "authorization_code":
        code, redirect_uri = fields.get("code", ""), fields.get("redirect_uri", "")
        return authority.exchange(code, redirect_uri, hard_expiry=hard_expiry)
    if grant_type == "refresh_token":
        return authority.refresh(fields.get("refresh_token", ""), hard_expiry=hard_expiry)
    raise OAuthFailure("unsupported_grant_type", f"grant_type {grant_type!r} is not supported")


def _failure(failure: OAuthFailure) -> JSONResponse:
    body = {"error": failure.error, "error_description": failure.description}
    return JSONResponse(body, status_code=failure.status)
