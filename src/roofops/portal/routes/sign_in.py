"""Signing in to the portal: asking for a link, following it, signing out.

Following a link never uses it on GET: mail scanners fetch the links in a message before the
homeowner does. The page shows a button that POSTs the token; that uses it.

There is no session before sign-in, so the two forms carry a double-submitted CSRF token: a
random value in a short-lived cookie (scoped to the sign-in pages, SameSite=Strict) must
match the hidden field. A forged cross-site POST has the field but not the cookie.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from roofops.config import get_settings
from roofops.db import DB
from roofops.exceptions import NotAuthenticated, TooManyRequests, ValidationFailed
from roofops.portal.dependencies import PORTAL_COOKIE, PORTAL_PATH, Visitor
from roofops.portal.links import SIGN_IN_PATH, SignedIn, portal_links
from roofops.portal.routes.rendering import render_portal
from roofops.portal.sessions import portal_sessions

router = APIRouter()

CSRF_COOKIE = "roofops_portal_csrf"
CSRF_MAX_AGE = 3600
SENT = "If that address has a project with us, a link to it is on its way. Check your inbox."
FORM_EXPIRED = "This form expired. Please try again."
NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _page(
    request: Request,
    name: str,
    context: Mapping[str, Any],
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A sign-in page with its form token (the cookie's, or a new one)."""
    token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
    response = render_portal(
        request,
        name,
        {"csrf_token": token, **context},
        status_code=status_code,
        headers={**NO_STORE, **(headers or {})},
    )
    response.set_cookie(
        CSRF_COOKIE,
        token,
        max_age=CSRF_MAX_AGE,
        path=SIGN_IN_PATH,
        httponly=True,
        samesite="strict",
        secure=get_settings().cookie_secure,
    )
    return response


def _csrf_matches(request: Request, submitted: str) -> bool:
    expected = request.cookies.get(CSRF_COOKIE, "")
    return bool(expected) and secrets.compare_digest(expected.encode(), submitted.encode())


def _ask_page(
    request: Request,
    *,
    email: str = "",
    error: str = "",
    notice: str = "",
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    context = {"email": email, "error": error, "notice": notice}
    return _page(request, "portal/sign_in.html", context, status_code=status_code, headers=headers)


@router.get("/sign-in")
def sign_in_form(request: Request) -> Response:
    return _ask_page(request)


@router.post("/sign-in")
def request_link(
    request: Request,
    db: DB,
    email: Annotated[str, Form(max_length=254)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Always the same answer, whether or not the address has a project (no enumeration)."""
    if not _csrf_matches(request, csrf_token):
        return _ask_page(request, email=email, error=FORM_EXPIRED, status_code=403)
    client = request.client.host if request.client else "unknown"
    try:
        portal_links.request_by_email(db, email, client)
    except ValidationFailed:
        message = "Please enter the e-mail address we have for you, like name@example.com."
        return _ask_page(request, email=email, error=message, status_code=422)
    except TooManyRequests as limited:
        retry = {"Retry-After": str(limited.retry_after_seconds)}
        error = "You asked for several links in a short time. Please wait an hour and try again."
        return _ask_page(request, email=email, error=error, status_code=429, headers=retry)
    return _ask_page(request, notice=SENT)


@router.get("/sign-in/{token}")
def open_link(request: Request, token: str) -> Response:
    """The button that uses the link (the link stays unused until it is pressed)."""
    return _page(request, "portal/sign_in_open.html", {"token": token})


@router.post("/sign-in/{token}")
def use_link(
    request: Request,
    db: DB,
    token: str,
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    if not _csrf_matches(request, csrf_token):
        context = {"token": token, "error": FORM_EXPIRED}
        return _page(request, "portal/sign_in_open.html", context, status_code=403)
    try:
        signed_in = portal_links.sign_in(db, token)
    except NotAuthenticated as refused:
        return _ask_page(request, error=refused.message, status_code=401)
    return _signed_in(signed_in)


def _signed_in(signed_in: SignedIn) -> Response:
    target = f"{PORTAL_PATH}/jobs/{signed_in.job_id}" if signed_in.job_id else f"{PORTAL_PATH}/"
    response = RedirectResponse(target, status_code=303, headers=NO_STORE)
    response.set_cookie(
        PORTAL_COOKIE,
        signed_in.opened.raw_token,
        max_age=get_settings().portal_session_days * 24 * 3600,
        path=PORTAL_PATH,
        httponly=True,
        samesite="lax",
        secure=get_settings().cookie_secure,
    )
    response.delete_cookie(CSRF_COOKIE, path=SIGN_IN_PATH)
    return response


@router.post("/sign-out")
def sign_out(db: DB, visitor: Visitor) -> Response:
    portal_sessions.sign_out(db, visitor.session_id)
    response = RedirectResponse(SIGN_IN_PATH, status_code=303)
    response.delete_cookie(
        PORTAL_COOKIE,
        path=PORTAL_PATH,
        httponly=True,
        samesite="lax",
        secure=get_settings().cookie_secure,
    )
    return response
