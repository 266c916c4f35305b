"""What the feed reads: activities and stage changes as one kind of entry, and a page cursor."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from roofops.exceptions import ValidationFailed
from roofops.kit.time import as_utc
from roofops.models.enums import ActorType

STAGE_KIND = "stage"  # a feed entry that is a stage change (job_stage_events), not an activity


@dataclass(frozen=True)
class FeedCursor:
    """Where a page of the feed stopped: entries strictly older than this one come next."""

    occurred_at: datetime
    entry_id: uuid.UUID

    def __str__(self) -> str:
        return f"{as_utc(self.occurred_at):%Y-%m-%dT%H:%M:%S.%fZ}_{self.entry_id}"  # URL-safe

    @classmethod
    def parse(cls, text: str) -> FeedCursor:
        """The cursor of an "older" link; 422 when it was not made by :meth:`__str__`."""
        try:
            moment, entry = text.rsplit("_", 1)
            return cls(as_utc(datetime.fromisoformat(moment)), uuid.UUID(entry))
        except (ValueError, OverflowError):  # OverflowError: a zone pushing year 1 out of range
            raise ValidationFailed(f"'{text}' is not a feed position") from None


@dataclass(frozen=True)
class FeedEntry:
    id: uuid.UUID  # the activity's or the stage event's id
    kind: str  # an ActivityKind value, or STAGE_KIND
    body: str
    occurred_at: datetime
    actor_type: ActorType
    actor_id: uuid.UUID | None
    actor_label: str
    # The kind's details: mentions, a photo id, a field status, a stage change's from/to/reason.
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def cursor(self) -> FeedCursor:
        return FeedCursor(self.occurred_at, self.id)

    @property
    def sort_key(self) -> tuple[datetime, uuid.UUID]:
        return (as_utc(self.occurred_at), self.id)


@dataclass(frozen=True)
class FeedPage:
    entries: list[FeedEntry]
    older: FeedCursor | None  # None: this page reaches the job's first entry
