"""The customer portal's own sign-in: magic links e-mailed to a homeowner, the sessions they
open, and the hits its rate limits count. Tokens are random; the tables hold only their SHA-256."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from roofops.kit.types import StrEnum, UTCDateTime, string_enum
from roofops.models.base import Base, UUIDPrimaryKey


class PortalLinkOrigin(StrEnum):
    OFFICE = "office"  # someone in the office pressed "send portal link"
    AUTOMATION = "automation"  # sent when the job reached a stage
    COMMAND_LINE = "command_line"  # roofops portal link JOB_NUMBER
    REQUESTED = "requested"  # the homeowner asked for a new link on the portal's sign-in page


class PortalLink(UUIDPrimaryKey, Base):
    """One magic link: it signs its customer in once, before it expires, unless revoked."""

    __tablename__ = "portal_links"

    customer_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    # The job the link was sent about (the portal opens on it); the session sees every job
    # of the customer all the same.
    job_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("jobs.id", ondelete="SET NULL"), index=True
    )
    email: Mapped[str] = mapped_column(sa.String(254))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    origin: Mapped[PortalLinkOrigin] = mapped_column(string_enum(PortalLinkOrigin))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PortalSession(UUIDPrimaryKey, Base):
    """A homeowner's signed-in browser; revoking its link ends it too."""

    __tablename__ = "portal_sessions"

    customer_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    link_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("portal_links.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PortalAction(StrEnum):
    LINK_REQUEST = "link_request"  # asking for a new sign-in link by e-mail
    MESSAGE = "message"  # a message to the office


class PortalRateHit(UUIDPrimaryKey, Base):
    """One counted use of a rate-limited portal action, by key (an e-mail's hash, an address,
    a customer): counted in the database, so every replica sees the same limit."""

    __tablename__ = "portal_rate_hits"
    __table_args__ = (
        sa.Index("ix_portal_rate_hits_action_key_at", "action", "key", "occurred_at"),
    )

    action: Mapped[PortalAction] = mapped_column(string_enum(PortalAction))
    key: Mapped[str] = mapped_column(sa.String(100))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
