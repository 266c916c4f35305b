"""The portal's one request dependency: the signed-in customer, from the portal cookie."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from roofops.auth.dependencies import submitted_csrf_token
from roofops.db import DB, SAFE_METHODS
from roofops.exceptions import NotAuthenticated, PermissionDenied
from roofops.portal.sessions import portal_sessions
from roofops.portal.visitor import PortalVisitor

# Its own cookie, scoped to /portal: an office sign-in and a portal sign-in never mix, and the
# portal cookie never travels with a request to the office's pages or API.
PORTAL_COOKIE = "roofops_portal"
PORTAL_PATH = "/portal"


def current_visitor(
    request: Request,
    db: DB,
    csrf_token: Annotated[str | None, Depends(submitted_csrf_token)],
) -> PortalVisitor:
    """The customer signed in to the portal (401 otherwise; a page GET redirects to the
    portal's sign-in page). Writes need the session's CSRF token."""
    cookie = request.cookies.get(PORTAL_COOKIE)
    visitor = portal_sessions.visitor(db, cookie) if cookie else None
    if visitor is None:
        raise NotAuthenticated("your portal link has expired or was used; ask for a new one")
    if request.method not in SAFE_METHODS and csrf_token != visitor.csrf_token:
        raise PermissionDenied("missing or wrong form token; reload the page and try again")
    request.state.portal_visitor = visitor
    return visitor


Visitor = Annotated[PortalVisitor, Depends(current_visitor)]
