"""JSON shapes of a job's activity feed."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field

from roofops.kit.schemas import OrmModel, text
from roofops.models.enums import ActorType

NoteText = Annotated[str, text(1, 5000)]


class NoteIn(BaseModel):
    body: NoteText = Field(
        description='the note; @local-part (e-mail before the @) or @"Full Name" mentions a user'
    )


class FeedEntryOut(OrmModel):
    id: uuid.UUID
    kind: str = Field(
        description="note, field, photo, handoff, schedule, sync, customer_message, or stage "
        "(a stage change)"
    )
    body: str
    occurred_at: datetime
    actor_type: ActorType
    actor_id: uuid.UUID | None
    actor_label: str
    data: dict[str, Any] = Field(
        description="the kind's details: mentions and unmatched mentions of a note, a photo_id, "
        "a field status, a stage change's from_stage/to_stage/reason, a sync's changed fields"
    )


class FeedOut(BaseModel):
    entries: list[FeedEntryOut]
    older: str | None = Field(description="pass as `before` for the next (older) page; null: none")
