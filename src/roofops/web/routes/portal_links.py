"""The job page's "Customer portal" card: send the customer a sign-in link, see the links
sent with their status, revoke one. A slot on the job page that loads itself (htmx)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from roofops.auth.dependencies import requires
from roofops.auth.permissions import Permission
from roofops.db import DB, attempt
from roofops.exceptions import RoofOpsError
from roofops.models.portal import PortalLinkOrigin
from roofops.portal.links import portal_links
from roofops.web.dependencies import Page
from roofops.web.forms import PortalLinkForm
from roofops.web.rendering import is_fragment_request, render

router = APIRouter(prefix="/jobs", dependencies=[Depends(requires(Permission.MANAGE_PORTAL))])
TEMPLATE = "jobs/_portal_links.html"
T = TypeVar("T")


def _card(db: Session, job_id: uuid.UUID, **extra: Any) -> dict[str, Any]:
    return {
        "job_id": job_id,
        "portal_links": portal_links.links_of_job(db, job_id),
        "portal_email": portal_links.customer_email(db, job_id),
        "error": "",
        "notice": "",
    } | extra


def _answer(request: Request, db: Session, job_id: uuid.UUID, **extra: Any) -> Response:
    if not is_fragment_request(request) and not extra.get("error"):
        return RedirectResponse(f"/jobs/{job_id}", status_code=303)
    status = extra.pop("status_code", 200)
    return render(request, TEMPLATE, _card(db, job_id, **extra), status_code=status)


@router.get("/{job_id}/portal-links")
def portal_card(request: Request, db: DB, _page: Page, job_id: uuid.UUID) -> Response:
    return render(request, TEMPLATE, _card(db, job_id))


@router.post("/{job_id}/portal-links")
def send_link(
    request: Request,
    db: DB,
    page: Page,
    job_id: uuid.UUID,
    form: Annotated[PortalLinkForm, Form()],
) -> Response:
    link = _attempted(
        db, lambda: portal_links.send(db, page.principal, job_id, **_office_link(form))
    )
    if isinstance(link, RoofOpsError):
        return _refused(request, db, job_id, link, email=form.email)
    return _answer(request, db, job_id, notice=f"Link sent to {link.email}.")


@router.post("/{job_id}/portal-links/copy")
def copy_link(
    request: Request,
    db: DB,
    page: Page,
    job_id: uuid.UUID,
    form: Annotated[PortalLinkForm, Form()],
) -> Response:
    """A link to hand over another way (a text message, read out on the phone): shown once,
    on this answer only; the table keeps its hash like every other link's."""
    issued = _attempted(
        db, lambda: portal_links.issue(db, page.principal, job_id, **_office_link(form))
    )
    if isinstance(issued, RoofOpsError):
        return _refused(request, db, job_id, issued, email=form.email)
    return render(request, TEMPLATE, _card(db, job_id, shown_url=issued.url))


@router.post("/{job_id}/portal-links/{link_id}/revoke")
def revoke_link(
    request: Request, db: DB, page: Page, job_id: uuid.UUID, link_id: uuid.UUID
) -> Response:
    revoked = _attempted(db, lambda: portal_links.revoke(db, page.principal, link_id))
    if isinstance(revoked, RoofOpsError):
        return _refused(request, db, job_id, revoked)
    return _answer(request, db, job_id, notice="Link revoked: it no longer signs in.")


def _office_link(form: PortalLinkForm) -> dict[str, Any]:
    """Sent by the office, to the form's address (the customer's own when left empty)."""
    return {"origin": PortalLinkOrigin.OFFICE, "email": form.email or None}


def _attempted(db: Session, action: Callable[[], T]) -> T | RoofOpsError:
    """The action's result, or its refusal with the action's writes rolled back."""
    try:
        with attempt(db):
            return action()
    except RoofOpsError as refusal:
        return refusal


def _refused(
    request: Request, db: Session, job_id: uuid.UUID, refusal: RoofOpsError, *, email: str = ""
) -> Response:
    return _answer(
        request, db, job_id, error=refusal.message, status_code=refusal.status_code, email=email
    )
