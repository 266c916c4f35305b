"""publish(): an event in the same transaction as the data it concerns.

PostgreSQL: ``pg_notify`` on the caller's connection, which PostgreSQL sends only at commit, to
every process's listener. SQLite: a row in the event outbox, written in the caller's
transaction, which every process polls (web workers, ``roofops worker`` and CLI commands are
separate processes); this process's own subscribers get it at once after commit.
Payloads carry ids, not documents (NOTIFY payloads are limited to 8000 bytes).
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roofops.auth.permissions import Permission
from roofops.db import after_commit
from roofops.events.hub import CHANNEL, THIS_PROCESS, get_hub
from roofops.events.repository import OutboxRepository
from roofops.kit.time import utcnow

MAX_MESSAGE_BYTES = 7500
# Pollers read every fraction of a second; a process that stalls longer misses live events,
# which pages recover from on their next load.
OUTBOX_KEEP = timedelta(minutes=5)
_NOTIFY = sa.text("SELECT pg_notify(:channel, :message)")


def publish(db: Session, topic: str, payload: dict[str, Any], *, seen_with: Permission) -> None:
    """Deliver ``payload`` to subscribers of ``topic`` once ``db`` commits; nothing on rollback.

    Only subscribers whose role has ``seen_with`` receive it: an event says what the route that
    shows the same thing would (a sync run's progress is for those who may read the runs)."""
    message = json.dumps({"topic": topic, "payload": payload, "permission": seen_with.value})
    if len(message.encode()) > MAX_MESSAGE_BYTES:
        raise ValueError(f"event '{topic}' is too large ({len(message)} bytes): send ids only")
    if db.get_bind().dialect.name == "postgresql":
        db.execute(_NOTIFY, {"channel": CHANNEL, "message": message})
        return
    now = utcnow()
    outbox = OutboxRepository(db)
    outbox.append(message, origin=THIS_PROCESS.id, at=now)
    outbox.prune(before=now - OUTBOX_KEEP)
    after_commit(db, lambda: get_hub().deliver(topic, payload, seen_with))
