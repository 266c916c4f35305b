"""A job's activity feed: notes, field reports, photos, handoffs, sync changes and customer
messages, each with who did it and when. Stage changes stay in ``job_stage_events``; the feed
reads both."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from roofops.kit.types import StrEnum, UTCDateTime, json_type, string_enum
from roofops.models.base import Base, UUIDPrimaryKey
from roofops.models.enums import ActorType


class ActivityKind(StrEnum):
    NOTE = "note"  # a person wrote it (may @mention users)
    FIELD = "field"  # a crew's report: en route, started, finished for the day, blocked
    PHOTO = "photo"
    HANDOFF = "handoff"  # the job moved between teams or owners
    SCHEDULE = "schedule"  # a published schedule change that concerns the job
    SYNC = "sync"  # a vendor sync changed the job
    CUSTOMER_MESSAGE = "customer_message"  # written by the homeowner in the portal


class JobActivity(UUIDPrimaryKey, Base):
    __tablename__ = "job_activities"
    __table_args__ = (sa.Index("ix_job_activities_job_id_occurred_at", "job_id", "occurred_at"),)

    job_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("jobs.id", ondelete="CASCADE"))
    kind: Mapped[ActivityKind] = mapped_column(string_enum(ActivityKind), index=True)
    body: Mapped[str] = mapped_column(sa.Text, default="")
    # What the kind needs beyond the sentence: a photo's id, a field status, mentioned user ids.
    data: Mapped[dict[str, Any]] = mapped_column(json_type(), default=dict)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_type: Mapped[ActorType] = mapped_column(string_enum(ActorType))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    actor_label: Mapped[str] = mapped_column(sa.String(200), default="")
