"""SCHEDULE entries: a published plan tells each job's feed what it changed for that job.

Connected as a dispatch publish hook (roofops.composition), so it runs inside the publishing
transaction, once per publish, with the same comparison the crews' and customers' notices use
(:meth:`FieldRepository.published_changes`): the feed, the crew and the customer are told the
same thing. The demo's starting plan is published without hooks, so it writes nothing.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from roofops.activity.repository import ActivityRepository
from roofops.activity.service import activity_service
from roofops.auth.principal import SYSTEM, Principal
from roofops.auth.service import principal_for
from roofops.dispatch.changes import Placement, WorkChange
from roofops.dispatch.field_repository import FieldRepository
from roofops.dispatch.notifications import PHASE_WORDS, when
from roofops.models.activity import ActivityKind
from roofops.models.enums import ActorType


def record_schedule_changes(db: Session, plan_id: uuid.UUID) -> None:
    """The publish hook: one SCHEDULE entry per job whose work the plan changed."""
    repository = FieldRepository(db)
    changes = repository.published_changes(plan_id)
    if not changes:
        return
    by = _publisher(db, repository.plan(plan_id).published_by_id)
    crews = repository.crews({crew for change in changes for crew in change.crews})
    names = {crew_id: crew.name for crew_id, crew in crews.items()}
    per_job: dict[uuid.UUID, list[WorkChange]] = defaultdict(list)
    for change in changes:
        per_job[change.job_id].append(change)
    for job_id, own in per_job.items():
        lines = [_line(change, names) for change in own]
        data = {"plan_id": str(plan_id), "changes": [_data(change) for change in own]}
        body = "Schedule published: " + "; ".join(lines) + "."
        activity_service.record(db, job_id, ActivityKind.SCHEDULE, body, by=by, data=data)


def _publisher(db: Session, user_id: uuid.UUID | None) -> Principal:
    user = ActivityRepository(db).user(user_id) if user_id else None
    return principal_for(user, actor_type=ActorType.USER) if user else SYSTEM


def _line(change: WorkChange, crews: dict[uuid.UUID, str]) -> str:
    work = PHASE_WORDS.get(change.phase, change.phase)
    before, after = change.before, change.after
    if after is None:
        return f"{work} taken off the schedule"
    crew = crews.get(after.crew_id, "a crew")
    if before is None:
        return f"{work} scheduled {when(after)} with {crew}"
    if before.same_time(after):
        return f"{work} now with {crew} (was {crews.get(before.crew_id, 'another crew')})"
    return f"{work} moved to {when(after)} with {crew} (was {when(before)})"


def recorded_changes(job_id: uuid.UUID, data: dict[str, Any]) -> list[WorkChange]:
    """A SCHEDULE entry's ``data`` read back into the changes :func:`_data` wrote."""
    return [_recorded(job_id, change) for change in data.get("changes", [])]


def _recorded(job_id: uuid.UUID, change: dict[str, Any]) -> WorkChange:
    phase = str(change["phase"])

    def placed(side: dict[str, str] | None) -> Placement | None:
        if side is None:
            return None
        return Placement(
            job_id=job_id,
            phase=phase,
            crew_id=uuid.UUID(side["crew_id"]),
            starts_on=date.fromisoformat(side["starts_on"]),
            ends_on=date.fromisoformat(side["ends_on"]),
        )

    return WorkChange(job_id, phase, placed(change.get("before")), placed(change.get("after")))


def _data(change: WorkChange) -> dict[str, object]:
    def placed(side: str) -> dict[str, str] | None:
        placement = getattr(change, side)
        if placement is None:
            return None
        return {
            "crew_id": str(placement.crew_id),
            "starts_on": placement.starts_on.isoformat(),
            "ends_on": placement.ends_on.isoformat(),
        }

    return {"phase": change.phase, "before": placed("before"), "after": placed("after")}
