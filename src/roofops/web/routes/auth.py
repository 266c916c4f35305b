"""Sign-in and sign-out for people; the session lives server-side, the cookie holds a token."""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from roofops.auth.dependencies import SESSION_COOKIE, CurrentPrincipal, requires
from roofops.auth.permissions import Permission
from roofops.auth.service import auth_service
from roofops.db import DB
from roofops.dependencies import app_settings
from roofops.exceptions import NotAuthenticated, TooManyRequests
from roofops.web.formatting import sentence
from roofops.web.forms import LoginForm
from roofops.web.rendering import render

router = APIRouter()

# There is no session before sign-in, so the form's CSRF token is double-submitted: a random
# value in a short-lived cookie must match the hidden field.
LOGIN_CSRF_COOKIE = "roofops_login_csrf"
LOGIN_CSRF_MAX_AGE = 3600
DEFAULT_LANDING = "/jobs"


def safe_next(target: str | None) -> str:
    """Only same-site paths: ``//evil.example`` or ``https://...`` would be an open redirect."""
    if not target or any(ord(char) < 32 for char in target):
        return DEFAULT_LANDING
    parts = urlsplit(target)
    local = target.startswith("/") and not target.startswith(("//", "/\\"))
    return target if local and not parts.scheme and not parts.netloc else DEFAULT_LANDING


def _login_page(
    request: Request, *, next_url: str, email: str = "", error: str = "", status_code: int = 200
) -> Response:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)
    response = render(
        request,
        "login.html",
        {"csrf_token": token, "next_url": next_url, "email": email, "error": error},
        status_code=status_code,
        headers={"Cache-Control": "no-store"},
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=LOGIN_CSRF_MAX_AGE,
        path="/login",
        httponly=True,
        samesite="strict",
        secure=app_settings(request).cookie_secure,
    )
    return response


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    return _login_page(request, next_url=safe_next(next))


def _csrf_matches(request: Request, submitted: str) -> bool:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    return bool(expected) and secrets.compare_digest(expected.encode(), submitted.encode())


@router.post("/login")
def login(request: Request, db: DB, form: Annotated[LoginForm, Form()]) -> Response:
    next_url, email = safe_next(form.next), form.email
    if not _csrf_matches(request, form.csrf_token):
        message = "This sign-in form expired. Please try again."
        return _login_page(request, next_url=next_url, email=email, error=message, status_code=403)
    try:
        new_session = auth_service.sign_in(
            db,
            email=email,
            password=form.password,
            ip_address=request.client.host if request.client else "unknown",
            user_agent=request.headers.get("user-agent", ""),
        )
    except TooManyRequests as exc:
        response = _login_page(
            request, next_url=next_url, email=email, error=sentence(exc.message), status_code=429
        )
        response.headers["Retry-After"] = str(exc.retry_after_seconds)
        return response
    except NotAuthenticated as exc:
        return _login_page(
            request, next_url=next_url, email=email, error=sentence(exc.message), status_code=401
        )
    return _signed_in(request, new_session.raw_token, next_url)


def _signed_in(request: Request, raw_token: str, next_url: str) -> Response:
    settings = app_settings(request)
    response = RedirectResponse(next_url, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        raw_token,
        max_age=settings.session_ttl_hours * 3600,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout", dependencies=[Depends(requires(Permission.USE_ACCOUNT))])
def logout(db: DB, principal: CurrentPrincipal) -> Response:
    if principal.session_id is not None:
        auth_service.sign_out(db, principal.session_id)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/")
def home() -> Response:
    return RedirectResponse(DEFAULT_LANDING, status_code=303)
