"""What the team services return: a job's ownership with its handoffs, and a team's board."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from roofops.models.job import Job
from roofops.models.team import HandoffItem, JobHandoff, Team


@dataclass(frozen=True)
class Ownership:
    """A job's team and owner now, its open handoff (if any) and every handoff before it."""

    job_id: uuid.UUID
    team: Team | None
    owner_label: str
    owner_id: uuid.UUID | None
    open_handoff: JobHandoff | None
    history: list[JobHandoff]  # newest first, the open one included


@dataclass(frozen=True)
class OwnerJobs:
    owner_id: uuid.UUID | None  # None: the team has the job but nobody owns it yet
    owner_label: str
    jobs: list[Job]


@dataclass(frozen=True)
class TeamBoard:
    """One team: its members, its jobs grouped by owner, and handoffs coming to it."""

    team: Team
    owners: list[OwnerJobs]
    incoming: list[JobHandoff]
    outgoing: list[JobHandoff]
    job_count: int = field(default=0)


def missing_items(handoff: JobHandoff) -> list[HandoffItem]:
    """The required checklist items of ``handoff`` not ticked yet."""
    return [item for item in handoff.items if item.required and item.done_at is None]
