"""FastAPI dependencies: who is calling, and what they may do."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from roofops.auth.permissions import Permission
from roofops.auth.principal import Principal
from roofops.auth.service import auth_service
from roofops.db import DB, SAFE_METHODS, unit_of_work
from roofops.exceptions import NotAuthenticated, PermissionDenied

SESSION_COOKIE = "roofops_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"


async def submitted_csrf_token(request: Request) -> str | None:
    """The CSRF token from the header (htmx, fetch) or the form field (plain forms)."""
    if request.method in SAFE_METHODS:
        return None
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    if request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


def _bearer_token(request: Request) -> str | None:
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" and credentials.strip() else None


def current_principal(
    request: Request,
    db: DB,
    csrf_token: Annotated[str | None, Depends(submitted_csrf_token)],
) -> Principal:
    """Bearer API token for machines, session cookie (plus CSRF on writes) for browsers."""
    principal, stamp_token = _identified(request, db, csrf_token)
    if stamp_token is not None:
        _stamp_token_use(request, db, stamp_token)
    return principal


def _identified(
    request: Request, db: Session, csrf_token: str | None
) -> tuple[Principal, uuid.UUID | None]:
    """The caller, and the API token whose use is due to be stamped (None: no stamp due)."""
    bearer = _bearer_token(request)
    stamp_token = None
    if bearer is not None:
        access = auth_service.api_token_access(db, bearer)
        if access is None:
            raise NotAuthenticated("invalid, expired or revoked API token")
        stamp_token = access.token_id if access.stamp_due else None
        principal = access.principal
    else:
        principal = _principal_from_cookie(request, db, csrf_token)
    request.state.principal = principal
    return principal, stamp_token


def _stamp_token_use(request: Request, db: Session, token_id: uuid.UUID) -> None:
    if request.method not in SAFE_METHODS:
        auth_service.stamp_api_token_use(db, token_id)
        return
    # A GET's unit of work only reads (on SQLite it holds no write lock and may not take one
    # later without risking "database is locked"), so its stamp is a short write of its own.
    _stamp_on_its_own(request, token_id)


def _stamp_on_its_own(request: Request, token_id: uuid.UUID) -> None:
    with unit_of_work(request.app.state.session_factory) as own:
        auth_service.stamp_api_token_use(own, token_id)


def _principal_from_cookie(request: Request, db: Session, csrf_token: str | None) -> Principal:
    cookie = request.cookies.get(SESSION_COOKIE)
    principal = auth_service.principal_from_session_token(db, cookie) if cookie else None
    if principal is None:
        raise NotAuthenticated("sign in first")
    if request.method not in SAFE_METHODS and csrf_token != principal.csrf_token:
        raise PermissionDenied("missing or wrong CSRF token; reload the page and try again")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


class requires:  # noqa: N801 (read as a phrase: Depends(requires(Permission.RUN_SYNC)))
    """The one dependency a route declares its permission with (401 without sign-in, 403
    naming the permission otherwise). The route-permission test finds it by its ``permission``."""

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    def __call__(self, principal: CurrentPrincipal) -> Principal:
        principal.require(self.permission)
        return principal


class requires_briefly(requires):  # noqa: N801
    """``requires(...)`` for a route whose answer never ends (an event stream): the caller is
    looked up in a unit of work opened and closed in one step, not in the request's session.

    The request's session is entered and left in separate worker-thread hops, holding a pooled
    connection in between. When hundreds of streams open at once (every dashboard reconnecting
    after a restart) every entry queues before any exit, the pool runs dry and the requests
    time out after 30 s; a lookup that returns its connection before it yields the thread
    cannot starve the pool. Only for reads (streams are GETs: no CSRF to check)."""

    def __call__(self, request: Request) -> Principal:  # type: ignore[override]
        with unit_of_work(request.app.state.session_factory, read_only=True) as db:
            principal, stamp_token = _identified(request, db, None)
        if stamp_token is not None:  # after the read closed: never two connections at once
            _stamp_on_its_own(request, stamp_token)
        principal.require(self.permission)
        return principal
