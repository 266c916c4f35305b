"""Queries for the SQLite event outbox (PostgreSQL sends events with NOTIFY instead)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roofops.models.runtime import OutboxEvent


class OutboxRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def append(self, message: str, *, origin: str, at: datetime) -> None:
        self.session.execute(
            sa.insert(OutboxEvent).values(message=message, origin=origin, created_at=at)
        )

    def prune(self, before: datetime) -> None:
        self.session.execute(sa.delete(OutboxEvent).where(OutboxEvent.created_at < before))

    def newest_id(self) -> int:
        return self.session.scalar(sa.select(sa.func.max(OutboxEvent.id))) or 0

    def after(self, last_id: int) -> list[tuple[int, str, str]]:
        """Events committed since ``last_id``: (id, origin, message), oldest first."""
        rows = self.session.execute(
            sa.select(OutboxEvent.id, OutboxEvent.origin, OutboxEvent.message)
            .where(OutboxEvent.id > last_id)
            .order_by(OutboxEvent.id)
        )
        return [(row.id, row.origin, row.message) for row in rows]
