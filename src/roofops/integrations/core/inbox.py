"""The webhook inbox every vendor shares: verified events kept once, one sync to follow them.

A vendor's receiver verifies the delivery and turns its events into :class:`Notice` s (a dedupe
key that does not depend on how the vendor delivered it, and what to keep); :func:`keep_new`
stores those not seen before (the unique ``(source, event_id)`` makes a redelivery a no-op) and
queues the vendor's refresh task once. The task (:func:`follow_webhooks`) runs one
incremental sync, which reads exactly what changed, and marks only the events that were pending
before that sync read the books as done.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from roofops.config import Settings
from roofops.integrations.core.repository import InboxRepository
from roofops.integrations.core.runner import VendorSync, run_sync
from roofops.integrations.core.runs import open_run
from roofops.kit.time import utcnow
from roofops.logging import get_logger
from roofops.models.enums import Provider, SyncKind
from roofops.models.integration import InboxEvent
from roofops.worker.queue import enqueue

log = get_logger(__name__)
MAX_EVENT_ID = 200  # the column's width


@dataclass(frozen=True)
class Notice:
    """One verified event: its inbox key and what is kept of it."""

    event_id: str
    payload: dict[str, Any]


def keep_new(db: Session, source: Provider, notices: Sequence[Notice], refresh_task: str) -> int:
    """Store the notices not seen before and queue one refresh; returns how many were new."""
    inbox = InboxRepository(db)
    seen = inbox.known(source, (notice.event_id for notice in notices))
    fresh = {n.event_id: n for n in notices if n.event_id not in seen}  # once per delivery too
    for notice in fresh.values():
        inbox.add(_stored(source, notice))
    if fresh:
        enqueue(db, refresh_task)
    return len(fresh)


def _stored(source: Provider, notice: Notice) -> InboxEvent:
    return InboxEvent(
        id=uuid.uuid4(),
        source=source,
        event_id=notice.event_id[:MAX_EVENT_ID],
        payload=notice.payload,
        received_at=utcnow(),
    )


def pending_events(db: Session, source: Provider) -> list[uuid.UUID]:
    return [event.id for event in InboxRepository(db).unprocessed(source)]


def mark_processed(db: Session, source: Provider, event_ids: list[uuid.UUID]) -> None:
    now, wanted = utcnow(), set(event_ids)
    for event in InboxRepository(db).unprocessed(source):
        if event.id in wanted:
            event.processed_at = now


def follow_webhooks(
    sessions: sessionmaker[Session], settings: Settings, sync: VendorSync[Any]
) -> None:
    """One incremental sync for the deliveries so far. While another sync runs, opening the
    run fails (409) and the task is retried with backoff, so no delivery is dropped. With the
    vendor not connected (any more) nothing is read: the events wait for the nightly read."""
    source = sync.provider
    with sessions() as db:
        pending = pending_events(db, source)
        problem = sync.problem(db, settings) if pending else ""
    if not pending or problem:
        if problem:
            log.info("webhook.sync_skipped", provider=source.value, reason=problem)
        return
    with sessions.begin() as db:
        run = open_run(db, source, SyncKind.INCREMENTAL, triggered_by=f"{sync.label} webhook")
    run_sync(sessions, settings, sync, run_id=run.id, full=False)
    with sessions.begin() as db:
        mark_processed(db, source, pending)
