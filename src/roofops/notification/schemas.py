"""JSON shapes of a person's notifications."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from roofops.kit.schemas import OrmModel
from roofops.models.notification import MailStatus


class NotificationOut(OrmModel):
    id: uuid.UUID
    title: str
    body: str
    link: str = Field(description="a path inside roofops, e.g. /jobs/{id}#activity-{id}")
    job_id: uuid.UUID | None
    created_at: datetime
    read_at: datetime | None
    mail_status: MailStatus = Field(
        description="queued, sent, failed (mail_error says why) or skipped (none was meant)"
    )
    mail_error: str


class InboxOut(BaseModel):
    notifications: list[NotificationOut]
    unread: int = Field(description="unread notifications in all, not only in this list")


class MarkRead(BaseModel):
    ids: list[uuid.UUID] | None = Field(
        default=None, max_length=500, description="these (your own); null or absent: all"
    )


class MarkedRead(BaseModel):
    marked: int
    unread: int
