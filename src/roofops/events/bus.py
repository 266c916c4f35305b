"""publish(): an event in the same transaction as the data it concerns (stub; runtime work fills it)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session


def publish(db: Session, topic: str, payload: dict[str, Any]) -> None:
    """Deliver ``payload`` to subscribers of ``topic`` once ``db`` commits; nothing on rollback."""
    del db, topic, payload
