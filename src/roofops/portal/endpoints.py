"""The office's API for portal links: send one, list a job's, revoke one."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response

from roofops.api_responses import errors
from roofops.auth.dependencies import requires
from roofops.auth.permissions import Permission
from roofops.auth.principal import Principal
from roofops.db import DB
from roofops.models.portal import PortalLinkOrigin
from roofops.portal.links import LinkStatus, LinkView, portal_links
from roofops.portal.schemas import PortalLinkCreate, PortalLinkOut

router = APIRouter(tags=["customer portal"])
Manager = Annotated[Principal, Depends(requires(Permission.MANAGE_PORTAL))]


@router.post(
    "/jobs/{job_id}/portal-links",
    status_code=201,
    summary="Send the job's customer a portal sign-in link",
    description="E-mailed once the request commits; with send=false the answer carries the "
    "url instead (shown once, never stored). 409: mail is not configured; 422: the customer "
    "has no e-mail and none was given.",
    responses=errors(404, 409, 422),
)
def create_link(
    db: DB, principal: Manager, job_id: uuid.UUID, body: PortalLinkCreate, response: Response
) -> PortalLinkOut:
    response.headers["Cache-Control"] = "no-store"
    origin, email = PortalLinkOrigin.OFFICE, body.email
    if body.send:
        link = portal_links.send(db, principal, job_id, origin=origin, email=email)
        return PortalLinkOut.of(LinkView(link, LinkStatus.ACTIVE, principal.label))
    issued = portal_links.issue(db, principal, job_id, origin=origin, email=email)
    return PortalLinkOut.of(LinkView(issued.link, LinkStatus.ACTIVE, principal.label), issued.url)


@router.get(
    "/jobs/{job_id}/portal-links",
    summary="The job's portal links, newest first, with their status",
    responses=errors(404),
)
def job_links(db: DB, _principal: Manager, job_id: uuid.UUID) -> list[PortalLinkOut]:
    return [PortalLinkOut.of(view) for view in portal_links.links_of_job(db, job_id)]


@router.post(
    "/portal-links/{link_id}/revoke",
    summary="Revoke a portal link: it no longer signs in, and its sessions end",
    responses=errors(404, 409),
)
def revoke_link(db: DB, principal: Manager, link_id: uuid.UUID) -> PortalLinkOut:
    return PortalLinkOut.of(portal_links.revoke(db, principal, link_id))
