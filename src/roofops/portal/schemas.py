"""JSON shapes of the office's portal-link API."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from roofops.kit.schemas import Email
from roofops.models.portal import PortalLinkOrigin
from roofops.portal.links import LinkStatus, LinkView


class PortalLinkCreate(BaseModel):
    email: Email | None = Field(
        default=None, description="where to send it; the job's customer's e-mail by default"
    )
    send: bool = Field(
        default=True,
        description="e-mail the link (after the request commits); false: return its url instead",
    )


class PortalLinkOut(BaseModel):
    id: uuid.UUID
    job_id: uuid.UUID | None
    email: str
    origin: PortalLinkOrigin
    status: LinkStatus
    created_at: datetime
    created_by: str | None = Field(description="who sent it; null: the automation or the homeowner")
    expires_at: datetime
    used_at: datetime | None
    revoked_at: datetime | None
    url: str | None = Field(
        default=None, description="only in the answer to a link created with send=false"
    )

    @classmethod
    def of(cls, view: LinkView, url: str | None = None) -> PortalLinkOut:
        link = view.link
        return cls(
            id=link.id,
            job_id=link.job_id,
            email=link.email,
            origin=link.origin,
            status=view.status,
            created_at=link.created_at,
            created_by=view.created_by,
            expires_at=link.expires_at,
            used_at=link.used_at,
            revoked_at=link.revoked_at,
            url=url,
        )
