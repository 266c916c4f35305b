"""Writing to and reading a job's activity feed.

Every writer (notes, crews' field reports, photos, handoffs, schedule publishes, syncs, the
customer portal) records through :func:`ActivityService.record`, in the same transaction as the
change it describes, and the feed announces it live (``job.activity``, ids only).

The feed is VIEW_JOBS: everyone who sees the job reads it, so no writer puts money figures in a
body (a sync says "contract amount changed", never the amount)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from roofops.activity import mentions
from roofops.activity.changes import FieldChange, merge, sentence
from roofops.activity.repository import ActivityRepository
from roofops.activity.results import STAGE_KIND, FeedCursor, FeedEntry, FeedPage
from roofops.auth.permissions import Permission
from roofops.auth.principal import Principal, sync_principal
from roofops.events.bus import publish
from roofops.exceptions import NotFound, ValidationFailed
from roofops.job.lifecycle import LABELS
from roofops.kit.schemas import NUL_REFUSED
from roofops.kit.time import utcnow
from roofops.models.activity import ActivityKind, JobActivity
from roofops.models.enums import ActorType, Role
from roofops.models.job import Job, JobStageEvent
from roofops.notification.service import notification_service

ACTIVITY_TOPIC = "job.activity"
FEED_LIMIT = 100
MAX_FEED_LIMIT = 200
NOTE_LIMIT = 5000  # characters: a note, not a document
MESSAGE_LIMIT = 2000  # characters: a homeowner's message from the customer portal


class ActivityService:
    def record(
        self,
        db: Session,
        job_id: uuid.UUID,
        kind: ActivityKind,
        body: str,
        *,
        by: Principal,
        data: dict[str, Any] | None = None,
        occurred_at: datetime | None = None,
    ) -> JobActivity:
        """Add an entry to the job's feed; it is seen live once ``db`` commits."""
        activity = _activity(
            by,
            job_id=job_id,
            kind=kind,
            body=body,
            data=data or {},
            occurred_at=occurred_at or utcnow(),
        )
        ActivityRepository(db).add(activity)
        self._announce(db, activity)
        return activity

    def _announce(self, db: Session, activity: JobActivity) -> None:
        payload = {
            "job_id": str(activity.job_id),
            "activity_id": str(activity.id),
            "kind": activity.kind.value,
        }
        publish(db, ACTIVITY_TOPIC, payload, seen_with=Permission.VIEW_JOBS)

    def add_note(
        self,
        db: Session,
        principal: Principal,
        job_id: uuid.UUID,
        body: str,
        *,
        occurred_at: datetime | None = None,
        mail: bool = True,
    ) -> JobActivity:
        """A person's note on the job. Its @mentions (roofops.activity.mentions) are listed in
        ``data["mentions"]`` and notified; those that match nobody in ``data["unmatched"]``.
        ``occurred_at`` and ``mail=False``: a note written after the fact (the demo's)."""
        principal.require(Permission.WRITE_NOTES)
        text = _checked_text(body, NOTE_LIMIT, "a note")
        job = _job(db, job_id)
        people = [
            mentions.Person(user.id, user.email, user.full_name)
            for user in ActivityRepository(db).active_users()
        ]
        found = mentions.resolve(text, people)
        data = _mention_data(found)
        note = self.record(
            db, job.id, ActivityKind.NOTE, text, by=principal, data=data, occurred_at=occurred_at
        )
        self._notify_mentioned(db, principal, job, note, found, mail=mail)
        return note

    def add_customer_message(
        self, db: Session, job_id: uuid.UUID, body: str, *, customer_name: str
    ) -> JobActivity:
        """A homeowner's message from the customer portal (which checked the job is theirs):
        on the job's feed with the customer as actor, and told to the job's owner."""
        text = _checked_text(body, MESSAGE_LIMIT, "a message")
        job = _job(db, job_id)
        message = self.record(
            db, job.id, ActivityKind.CUSTOMER_MESSAGE, text, by=customer_actor(customer_name)
        )
        if job.owner_id is not None:
            notification_service.notify(
                db,
                [job.owner_id],
                title=f"Message from {customer_name} on job {job.number}",
                body=text,
                link=f"/jobs/{job.id}#activity-{message.id}",
                job_id=job.id,
                at=message.occurred_at,
            )
        return message

    def feed_page(
        self,
        db: Session,
        job_id: uuid.UUID,
        limit: int = FEED_LIMIT,
        *,
        before: FeedCursor | None = None,
    ) -> FeedPage:
        """The job's activities and stage changes, newest first, older than ``before``: a page
        of them and where the next (older) page starts, if there is one."""
        _job(db, job_id)
        # One more than asked: whether an older page exists, without counting.
        entries = _merged(ActivityRepository(db), job_id, _checked(limit) + 1, before)
        if len(entries) <= limit:
            return FeedPage(entries, None)
        return FeedPage(entries[:limit], entries[limit - 1].cursor)

    def record_syncs(
        self,
        db: Session,
        changes: Mapping[uuid.UUID, list[FieldChange]],
        *,
        source: str,
        run_id: uuid.UUID | None = None,
    ) -> list[JobActivity]:
        """What a sync of ``source`` ("JobNimbus", "QuickBooks") changed on each job, as one entry
        per job per run: a later page of the same run (``run_id``) adds to the run's entry.
        Nothing for a job when nothing a person cares about changed. Never a money figure.
        A sync page touches hundreds of jobs: one read of the run's entries, one batched insert."""
        changed = {job_id: found for job_id, found in changes.items() if found}
        run = str(run_id) if run_id else None
        repository = ActivityRepository(db)
        # Without a run there is no earlier entry to add to.
        earlier = repository.latest_of_jobs(changed, ActivityKind.SYNC) if run else {}
        entries, added = [], []
        for job_id, found in changed.items():
            latest = earlier.get(job_id)
            if latest is not None and latest.data.get("run_id") == run:
                entry = _add_to_run(latest, source, found)
            else:
                entry = _sync_entry(job_id, source, run, found)
                added.append(entry)
            entries.append(entry)
        repository.add_all(added)
        for entry in entries:
            self._announce(db, entry)
        return entries

    def entry(self, activity: JobActivity) -> FeedEntry:
        """An activity as the feed shows it."""
        return _from_activity(activity)

    def _notify_mentioned(
        self,
        db: Session,
        principal: Principal,
        job: Job,
        note: JobActivity,
        found: list[mentions.Mention],
        *,
        mail: bool,
    ) -> None:
        # Writing "@me" is not news to the writer.
        told = {m.user_id for m in found if m.user_id and m.user_id != principal.user_id}
        if not told:
            return
        notification_service.notify(
            db,
            sorted(told, key=str),
            title=f"{principal.label} mentioned you on job {job.number}",
            body=note.body,
            link=f"/jobs/{job.id}#activity-{note.id}",
            job_id=job.id,
            mail=mail,
            at=note.occurred_at,
        )


def _activity(by: Principal, **columns: Any) -> JobActivity:
    """An entry of ``columns`` (job_id, kind, body, data, occurred_at) that ``by`` wrote."""
    return JobActivity(
        **columns, actor_type=by.actor_type, actor_id=by.user_id, actor_label=by.label
    )


def _sync_entry(
    job_id: uuid.UUID, source: str, run: str | None, changes: list[FieldChange]
) -> JobActivity:
    data = {"source": source, "run_id": run, "fields": [c.as_data() for c in changes]}
    return _activity(
        sync_principal(source),
        job_id=job_id,
        kind=ActivityKind.SYNC,
        body=sentence(source, changes),
        data=data,
        occurred_at=utcnow(),
    )


def _add_to_run(entry: JobActivity, source: str, changes: list[FieldChange]) -> JobActivity:
    """The run's entry for the job, now also saying ``changes``."""
    earlier = [FieldChange.from_data(item) for item in entry.data.get("fields", [])]
    merged = merge(earlier, changes)
    entry.body = sentence(source, merged)
    entry.data = {**entry.data, "fields": [change.as_data() for change in merged]}
    return entry


def customer_actor(name: str) -> Principal:
    """A homeowner writing through the customer portal: no user, the least of roles."""
    return Principal(
        user_id=None, email="", name=name, role=Role.VIEWER, actor_type=ActorType.CUSTOMER
    )


def _checked(limit: int) -> int:
    if not 1 <= limit <= MAX_FEED_LIMIT:
        raise ValidationFailed(f"limit must be between 1 and {MAX_FEED_LIMIT}")
    return limit


def _merged(
    repository: ActivityRepository, job_id: uuid.UUID, count: int, before: FeedCursor | None
) -> list[FeedEntry]:
    """The newest ``count`` of both sources: each gives its own newest ``count``, then merge."""
    position = (before.occurred_at, before.entry_id) if before else None
    entries = [_from_activity(row) for row in repository.for_job(job_id, count, position)]
    entries += [_from_stage(row) for row in repository.stage_events(job_id, count, position)]
    return sorted(entries, key=lambda entry: entry.sort_key, reverse=True)[:count]


def _checked_text(body: str, limit: int, what: str) -> str:
    text = body.strip()
    if not text:
        raise ValidationFailed(f"{what} needs some text")
    if "\x00" in text:
        raise ValidationFailed(NUL_REFUSED)
    if len(text) > limit:
        raise ValidationFailed(f"{what} is at most {limit} characters (this one: {len(text)})")
    return text


def _job(db: Session, job_id: uuid.UUID) -> Job:
    job = ActivityRepository(db).job(job_id)
    if job is None:
        raise NotFound("no such job")
    return job


def _mention_data(found: list[mentions.Mention]) -> dict[str, Any]:
    return {
        "mentions": [
            {"text": m.text, "user_id": str(m.user_id), "name": m.label} for m in found if m.user_id
        ],
        "unmatched": [{"text": m.text, "why": m.label} for m in found if m.user_id is None],
    }


def _from_activity(row: JobActivity) -> FeedEntry:
    return FeedEntry(
        id=row.id,
        kind=row.kind.value,
        body=row.body,
        occurred_at=row.occurred_at,
        actor_type=row.actor_type,
        actor_id=row.actor_id,
        actor_label=row.actor_label,
        data=dict(row.data),
    )


def _from_stage(row: JobStageEvent) -> FeedEntry:
    to_label = LABELS[row.to_stage]
    body = (
        f"Moved from {LABELS[row.from_stage]} to {to_label}"
        if row.from_stage
        else f"Created in {to_label}"
    )
    return FeedEntry(
        id=row.id,
        kind=STAGE_KIND,
        body=body + (f": {row.reason}" if row.reason else ""),
        occurred_at=row.occurred_at,
        actor_type=row.actor_type,
        actor_id=row.actor_id,
        actor_label=row.actor_label,
        data={
            "from_stage": row.from_stage.value if row.from_stage else None,
            "to_stage": row.to_stage.value,
            "reason": row.reason,
        },
    )


activity_service = ActivityService()
