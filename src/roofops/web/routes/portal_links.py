"""The job page's "Customer portal" card: send the customer a sign-in link, see the links
sent with their status, revoke one. A slot on the job page that loads itself (htmx)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

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
    try:
        with attempt(db):
            link = portal_links.send(
                db, page.principal, job_id, origin=PortalLinkOrigin.OFFICE, email=form.email or None
            )
    except RoofOpsError as exc:
        return _answer(
            request, db, job_id, error=exc.message, status_code=exc.status_code, email=form.email
        )
    return _answer(request, db, job_id, notice=f"Link sent to {link.email}.")


@router.post("/{job_id}/portal-links/{link_id}/revoke")
def revoke_link(
    request: Request, db: DB, page: Page, job_id: uuid.UUID, link_id: uuid.UUID
) -> Response:
    try:
        with attempt(db):
            portal_links.revoke(db, page.principal, link_id)
    except RoofOpsError as exc:
        return _answer(request, db, job_id, error=exc.message, status_code=exc.status_code)
    return _answer(request, db, job_id, notice="Link revoked: it no longer signs in.")
