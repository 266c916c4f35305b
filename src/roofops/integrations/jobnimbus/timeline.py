"""The status logs and stage events of one page's jobs, kept in step inside the page's
transaction.

Two sources fill a job's log: its status-change activities, and the job record itself ("status X
since T"), which often arrives first (the jobs stream is read before the activities stream). The
record's entry is a placeholder that the matching activity later completes. A job's stage
events are then derived from its log (see :mod:`.history`) and reconciled with the events it
has: an event we hold within a second or two of a derived one is that change; a derived change
we do not hold is added; an event the sync derived earlier that no longer follows from the log
(a placeholder's date, an old status map) is removed. Events people entered in roofops stay.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from roofops.audit.service import apply_changes
from roofops.integrations.jobnimbus.history import (
    LogEntry,
    StageChange,
    StageHistory,
    StageLookup,
    derive_history,
)
from roofops.integrations.jobnimbus.repository import StatusLogRepository, SyncTargetRepository
from roofops.integrations.jobnimbus.schemas import StatusChange
from roofops.integrations.jobnimbus.status_map import same_name
from roofops.job.service import job_service
from roofops.kit.time import as_utc
from roofops.models.crm import CrmStatusChange
from roofops.models.enums import ActorType
from roofops.models.job import Job as LocalJob
from roofops.models.job import JobStageEvent

# A stage event we already hold and one JobNimbus logs are the same change within this window.
SAME_CHANGE = timedelta(seconds=2)
ACTOR = "JobNimbus"


class Timelines:
    def __init__(
        self,
        db: Session,
        now: datetime,
        logs: dict[str, list[CrmStatusChange]],
        events: dict[uuid.UUID, list[JobStageEvent]],
    ) -> None:
        self.db, self.now, self.logs, self.events = db, now, logs, events

    @classmethod
    def load(
        cls, db: Session, now: datetime, job_jnids: Iterable[str], job_ids: Iterable[uuid.UUID]
    ) -> Timelines:
        timelines = cls(db, now, StatusLogRepository(db).for_jobs(job_jnids), {})
        timelines.load_events(job_ids)
        return timelines

    def load_events(self, job_ids: Iterable[uuid.UUID]) -> None:
        self.events.update(SyncTargetRepository(self.db).stage_events_of(job_ids))

    def note_current_status(self, job_jnid: str, status: str, since: datetime) -> None:
        """The job record's "status X since T": kept unless the log already says so (or says
        something newer, which the record will catch up with)."""
        entries = self.logs.setdefault(job_jnid, [])
        newest = max(entries, key=lambda entry: as_utc(entry.occurred_at), default=None)
        if not status or (newest and _newest_says(newest, status, since)):
            return
        self._add(entries, job_jnid, status, since)

    def log_activity(self, activity_jnid: str, change: StatusChange, actor: str) -> None:
        entries = self.logs.setdefault(change.job_jnid, [])
        entry = _placeholder_for(entries, change) or self._add(
            entries, change.job_jnid, change.to_status, change.occurred_at
        )
        entry.activity_external_id = activity_jnid
        entry.from_status = change.from_status[:120] if change.from_status else None
        entry.occurred_at, entry.actor = change.occurred_at, actor[:200]

    def apply(
        self, job: LocalJob, job_jnid: str, stage_of: StageLookup, created_at: datetime
    ) -> bool:
        """The job's stage, stage date, unmapped flag and stage events as its log says;
        True when anything changed."""
        entries = [_entry(row) for row in self.logs.get(job_jnid, [])]
        history = derive_history(entries, stage_of, created_at=created_at)
        moved = _set_stage(job, history)
        return self._reconcile(job.id, history.changes) or moved

    def _add(
        self, entries: list[CrmStatusChange], job_jnid: str, status: str, when: datetime
    ) -> CrmStatusChange:
        entry = CrmStatusChange(
            id=uuid.uuid4(),
            job_external_id=job_jnid,
            to_status=status[:120],
            occurred_at=when,
            actor="",
        )
        StatusLogRepository(self.db).add(entry)
        entries.append(entry)
        return entry

    def _reconcile(self, job_id: uuid.UUID, changes: Iterable[StageChange]) -> bool:
        events = self.events.setdefault(job_id, [])
        unmatched = list(events)
        touched = False
        for change in changes:
            held = next((event for event in unmatched if _same_change(event, change)), None)
            if held is None:
                events.append(self._new_event(job_id, change))
                touched = True
            else:
                unmatched.remove(held)
                touched = _align(held, change) or touched
        for stale in (event for event in unmatched if _derived_by_us(event)):
            events.remove(stale)
            self.db.delete(stale)
            touched = True
        return touched

    def _new_event(self, job_id: uuid.UUID, change: StageChange) -> JobStageEvent:
        event = JobStageEvent(
            id=uuid.uuid4(),
            job_id=job_id,
            from_stage=change.from_stage,
            to_stage=change.to_stage,
            occurred_at=change.occurred_at,
            recorded_at=self.now,
            actor_type=ActorType.SYNC,
            actor_label=_actor(change),
            reason=change.note,
        )
        self.db.add(event)
        job_service.stage_reached(self.db, event)  # a change made in the CRM today counts too
        return event


def _newest_says(newest: CrmStatusChange, status: str, since: datetime) -> bool:
    return same_name(newest.to_status, status) or as_utc(newest.occurred_at) > since


def _placeholder_for(
    entries: list[CrmStatusChange], change: StatusChange
) -> CrmStatusChange | None:
    """The job record's entry this activity completes: same status, nothing logged between."""
    for entry in entries:
        if entry.activity_external_id is None and same_name(entry.to_status, change.to_status):
            low, high = sorted((as_utc(entry.occurred_at), change.occurred_at))
            between = [o for o in entries if o is not entry and low < as_utc(o.occurred_at) < high]
            if not between:
                return entry
    return None


def _entry(row: CrmStatusChange) -> LogEntry:
    return LogEntry(row.to_status, row.from_status, as_utc(row.occurred_at), row.actor)


def _set_stage(job: LocalJob, history: StageHistory) -> bool:
    stage = {
        "stage": history.stage,
        "stage_changed_at": history.since,
        "unmapped_crm_status": history.unmapped_status[:120],
    }
    return bool(apply_changes(job, stage))


def _same_change(event: JobStageEvent, change: StageChange) -> bool:
    close = abs(as_utc(event.occurred_at) - change.occurred_at) <= SAME_CHANGE
    return event.to_stage == change.to_stage and close


def _derived_by_us(event: JobStageEvent) -> bool:
    return event.actor_type == ActorType.SYNC and event.actor_label.startswith(ACTOR)


def _align(event: JobStageEvent, change: StageChange) -> bool:
    """Ours follow the log exactly; someone else's only gains a "from" it was missing."""
    if not _derived_by_us(event):
        if event.from_stage is None and change.from_stage is not None:
            event.from_stage = change.from_stage
            return True
        return False
    wanted = (change.from_stage, _actor(change), change.note)
    if (event.from_stage, event.actor_label, event.reason) == wanted:
        return False
    event.from_stage, event.actor_label, event.reason = wanted
    return True


def _actor(change: StageChange) -> str:
    return (f"{ACTOR} · {change.actor}" if change.actor else ACTOR)[:200]
