"""In-app notifications: one row per person told something (an @mention, a handoff), read or
not, and whether its e-mail went out."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from roofops.kit.types import StrEnum, UTCDateTime, string_enum
from roofops.models.base import Base, UUIDPrimaryKey


class MailStatus(StrEnum):
    QUEUED = "queued"  # the e-mail job is queued with the row; the worker sends it
    SENT = "sent"
    FAILED = "failed"  # mail_error says why (not configured, refused, unreachable)
    SKIPPED = "skipped"  # none was meant: history written after the fact (the demo's)


class Notification(UUIDPrimaryKey, Base):
    __tablename__ = "notifications"
    __table_args__ = (
        # The bell's unread count and the list, newest first, for one person.
        sa.Index("ix_notifications_user_id_read_at", "user_id", "read_at"),
        sa.Index("ix_notifications_user_id_created_at", "user_id", "created_at"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    link: Mapped[str] = mapped_column(sa.String(500), default="")  # a path inside roofops
    job_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("jobs.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    mail_status: Mapped[MailStatus] = mapped_column(
        string_enum(MailStatus), default=MailStatus.QUEUED
    )
    mail_error: Mapped[str] = mapped_column(sa.Text, default="")
