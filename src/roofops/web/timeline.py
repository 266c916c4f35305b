"""A job's stage history for the job page: newest first, with the time spent before each move."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from roofops.kit.time import as_utc
from roofops.models.enums import ActorType
from roofops.models.job import JobStageEvent

ACTOR_TAGS = {
    ActorType.USER: "User",
    ActorType.SYSTEM: "System",
    ActorType.SYNC: "Sync",
    ActorType.API_TOKEN: "API token",
    ActorType.CUSTOMER: "Customer",
}


@dataclass(frozen=True)
class TimelineEntry:
    event: JobStageEvent
    # How long the job sat in the stage it left; None for the first event.
    time_in_previous: timedelta | None

    @property
    def actor_tag(self) -> str:
        return ACTOR_TAGS[self.event.actor_type]


def timeline(events: Sequence[JobStageEvent]) -> list[TimelineEntry]:
    ordered = sorted(events, key=lambda event: as_utc(event.occurred_at))
    entries = [
        TimelineEntry(
            event=event,
            time_in_previous=as_utc(event.occurred_at) - as_utc(ordered[i - 1].occurred_at)
            if i
            else None,
        )
        for i, event in enumerate(ordered)
    ]
    return entries[::-1]
