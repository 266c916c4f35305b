"""A CRM job's stage history, derived from its status log and the status map. Pure.

JobNimbus logs every status change; our lifecycle is coarser (several statuses share a stage). A
stage begins at the first status of a run of consecutive statuses that map to it: "Appointment
Scheduled" then "Inspection Complete" is one inspection event, dated when the appointment was
set, and the job is "in inspection since" then. A status the map does not know moves nothing:
the job stays in its last known stage, and the entry counts as soon as the status is mapped,
because the history is derived again from the same log.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from roofops.models.enums import JobStage

StageLookup = Callable[[str], JobStage | None]
# Where a job starts when none of its statuses is mapped yet.
FIRST_STAGE = JobStage.LEAD


@dataclass(frozen=True)
class LogEntry:
    """One status the CRM says a job took, and when."""

    to_status: str
    from_status: str | None
    occurred_at: datetime
    actor: str = ""


@dataclass(frozen=True)
class StageChange:
    from_stage: JobStage | None
    to_stage: JobStage
    occurred_at: datetime
    actor: str
    note: str


@dataclass(frozen=True)
class StageHistory:
    changes: tuple[StageChange, ...]  # oldest first; never empty
    unmapped_status: str  # the job's current CRM status when the map does not know it

    @property
    def stage(self) -> JobStage:
        return self.changes[-1].to_stage

    @property
    def since(self) -> datetime:
        return self.changes[-1].occurred_at


def derive_history(
    entries: Sequence[LogEntry], stage_of: StageLookup, *, created_at: datetime
) -> StageHistory:
    """The stage changes the log means. A job none of whose statuses is mapped is at the first
    stage since it was created (``created_at``, or its first log entry if that is older)."""
    ordered = sorted(entries, key=_log_order)
    changes: list[StageChange] = []
    for entry in ordered:
        stage = stage_of(entry.to_status)
        current = changes[-1].to_stage if changes else None
        if stage is None or stage == current:
            continue
        source = current if changes else _stage_before(entry, stage, stage_of)
        changes.append(StageChange(source, stage, entry.occurred_at, entry.actor, _note(entry)))
    latest = ordered[-1].to_status if ordered else ""
    unmapped = latest if latest and stage_of(latest) is None else ""
    if not changes:
        start = min([created_at, *(entry.occurred_at for entry in ordered)])
        changes.append(_first_stage(unmapped, start))
    return StageHistory(tuple(changes), unmapped)


def _log_order(entry: LogEntry) -> tuple[datetime, bool]:
    # In one second, "Status set to X" (no "from") is the job's creation: it comes first.
    return entry.occurred_at, entry.from_status is not None


def _stage_before(entry: LogEntry, stage: JobStage, stage_of: StageLookup) -> JobStage | None:
    """Where the oldest entry we hold says the job came from (older entries may be missing);
    a status of the same stage says only that the stage began before our log does."""
    before = stage_of(entry.from_status) if entry.from_status else None
    return before if before != stage else None


def _note(entry: LogEntry) -> str:
    if entry.from_status:
        return f"JobNimbus status: {entry.from_status} → {entry.to_status}"
    return f"JobNimbus status: {entry.to_status}"


def _first_stage(unmapped: str, created_at: datetime) -> StageChange:
    why = f"status '{unmapped}' is not mapped to a stage yet" if unmapped else "no status yet"
    return StageChange(None, FIRST_STAGE, created_at, "", f"JobNimbus {why}: the first stage")
