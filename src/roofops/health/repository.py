"""The queries behind /health/ready (worker heartbeats are read through roofops.worker)."""

from __future__ import annotations

import sqlalchemy as sa

from roofops import schema
from roofops.kit.repository import Repository
from roofops.models.runtime import WorkerHeartbeat


class HealthRepository(Repository[WorkerHeartbeat]):
    model = WorkerHeartbeat

    def ping(self, timeout_ms: int) -> None:
        """``SELECT 1``; on PostgreSQL, this and later checks give up after ``timeout_ms``."""
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(sa.text(f"SET LOCAL statement_timeout = {int(timeout_ms)}"))
        self.session.execute(sa.text("SELECT 1"))

    def revision(self) -> str | None:
        return schema.current_revision(self.session.connection())
