"""publish(): an event in the same transaction as the data it concerns.

PostgreSQL: ``pg_notify`` on the caller's connection, which PostgreSQL sends only at commit, to
every process's listener. SQLite (one process): handed to this process's hub after commit.
Payloads carry ids, not documents (NOTIFY payloads are limited to 8000 bytes).
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roofops.auth.permissions import Permission
from roofops.db import after_commit
from roofops.events.hub import CHANNEL, get_hub

MAX_MESSAGE_BYTES = 7500
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
    else:
        after_commit(db, lambda: get_hub().deliver(topic, payload, seen_with))
