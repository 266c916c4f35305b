"""What a draft changes against the plan it is based on: moved, added, removed and newly
unscheduled phases, each with why. The board shows it before the dispatcher publishes."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from roofops.kit.types import StrEnum
from roofops.models.crew import Crew
from roofops.models.dispatch import DispatchPlan, Phase, ScheduleEntry
from roofops.models.job import Job


class ChangeKind(StrEnum):
    MOVED = "moved"  # another crew or other days
    ADDED = "added"  # placed now, not placed before
    UNSCHEDULED = "unscheduled"  # placed before, not placed now
    REMOVED = "removed"  # no longer to schedule (completed, cancelled, ...)


@dataclass(frozen=True)
class Slot:
    crew_id: uuid.UUID
    crew_name: str
    starts_on: date
    ends_on: date


@dataclass(frozen=True)
class Change:
    kind: ChangeKind
    job_id: uuid.UUID
    job_number: str
    job_name: str
    phase: Phase
    before: Slot | None
    after: Slot | None
    why: str


@dataclass(frozen=True)
class PlanDiff:
    plan_id: uuid.UUID
    based_on_id: uuid.UUID | None
    changes: tuple[Change, ...]

    @property
    def moved_jobs(self) -> int:
        return len({c.job_id for c in self.changes if c.kind == ChangeKind.MOVED})


Key = tuple[uuid.UUID, Phase]


def plan_diff(
    plan: DispatchPlan,
    entries: Sequence[ScheduleEntry],
    before: Sequence[ScheduleEntry],
    jobs: Mapping[uuid.UUID, Job],
    crews: Mapping[uuid.UUID, Crew],
) -> PlanDiff:
    """Changes from ``before`` (the base plan's entries) to ``entries``, inside the plan's
    horizon: work that ended before it is history, not a change."""
    old = {
        (e.job_id, e.phase): e
        for e in before
        if e.ends_on is None or e.ends_on >= plan.horizon_start
    }
    new = {(e.job_id, e.phase): e for e in entries}
    changes = [
        change
        for key in sorted(old.keys() | new.keys(), key=lambda k: (_number(jobs, k[0]), k[1]))
        if (change := _change(key, old.get(key), new.get(key), jobs, crews)) is not None
    ]
    return PlanDiff(plan.id, plan.based_on_id, tuple(changes))


def _change(
    key: Key,
    old: ScheduleEntry | None,
    new: ScheduleEntry | None,
    jobs: Mapping[uuid.UUID, Job],
    crews: Mapping[uuid.UUID, Crew],
) -> Change | None:
    before, after = _slot(old, crews), _slot(new, crews)
    if before is None and after is None:
        return None
    if before is not None and after is not None:
        if before == after and _days(old) == _days(new):
            return None
        kind, why = ChangeKind.MOVED, new.reason if new else ""
    elif after is not None:
        kind, why = ChangeKind.ADDED, new.reason if new else ""
    elif new is not None:
        kind, why = ChangeKind.UNSCHEDULED, new.reason
    else:
        kind, why = ChangeKind.REMOVED, _gone(jobs.get(key[0]))
    job = jobs.get(key[0])
    return Change(
        kind=kind,
        job_id=key[0],
        job_number=job.number if job else "",
        job_name=job.name if job else "",
        phase=key[1],
        before=before,
        after=after,
        why=why,
    )


def _slot(entry: ScheduleEntry | None, crews: Mapping[uuid.UUID, Crew]) -> Slot | None:
    if entry is None or entry.crew_id is None or entry.starts_on is None:
        return None
    crew = crews.get(entry.crew_id)
    return Slot(
        crew_id=entry.crew_id,
        crew_name=crew.name if crew else "",
        starts_on=entry.starts_on,
        ends_on=entry.ends_on or entry.starts_on,
    )


def _days(entry: ScheduleEntry | None) -> list[str]:
    return entry.work_days if entry is not None else []


def _gone(job: Job | None) -> str:
    if job is None:
        return "The job no longer exists."
    return f"No longer to schedule: the job is {job.stage.value.replace('_', ' ')}."


def _number(jobs: Mapping[uuid.UUID, Job], job_id: uuid.UUID) -> str:
    job = jobs.get(job_id)
    return job.number if job else str(job_id)
