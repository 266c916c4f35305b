"""Liveness and readiness: is the database there, is the schema current, is a worker alive."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roofops import __version__, schema
from roofops.health.repository import HealthRepository
from roofops.kit.time import as_utc, utcnow
from roofops.logging import get_logger
from roofops.worker.service import latest_heartbeat

log = get_logger(__name__)
DATABASE_TIMEOUT_MS = 2000


@dataclass(frozen=True)
class Readiness:
    status: Literal["ok", "degraded", "fail"]
    checks: dict[str, dict[str, Any]] = field(default_factory=dict)
    version: str = __version__

    @property
    def serving(self) -> bool:
        """A degraded replica still takes traffic: a worker outage must not empty the balancer."""
        return self.status != "fail"


class HealthService:
    def readiness(self, db: Session, *, worker_stale_seconds: int) -> Readiness:
        """Database reachable and migrated decide ``fail``; a stale worker only ``degraded``."""
        repository = HealthRepository(db)
        try:
            repository.ping(DATABASE_TIMEOUT_MS)
        except sa.exc.DBAPIError as error:
            # The driver's message can name hosts and users: it goes to the log, not the body.
            log.warning("health.database.unreachable", error_type=type(error.orig).__name__)
            return Readiness("fail", {"database": {"ok": False}})
        checks: dict[str, dict[str, Any]] = {"database": {"ok": True}}
        checks["migrations"] = self._migrations(repository)
        if checks["migrations"]["state"] == "behind":
            # An old or empty schema may lack the heartbeat table: the verdict is already "fail".
            return Readiness("fail", checks)
        checks["worker"] = self._worker(repository, worker_stale_seconds)
        healthy = checks["migrations"]["ok"] and checks["worker"]["ok"]
        return Readiness("ok" if healthy else "degraded", checks)

    def heartbeat_age_seconds(self, db: Session) -> float | None:
        """Seconds since the newest worker heartbeat; None when no worker ever beat or the
        database cannot say (a scrape still answers while the database is down)."""
        try:
            return _age_seconds(latest_heartbeat(db))
        except sa.exc.DBAPIError as error:
            log.warning("health.heartbeat.unreadable", error_type=type(error.orig).__name__)
            return None

    def migrations(self, db: Session) -> dict[str, Any]:
        """``state``: current, behind (run ``roofops db upgrade``) or ahead (a newer release)."""
        return self._migrations(HealthRepository(db))

    def _migrations(self, repository: HealthRepository) -> dict[str, Any]:
        current, head = repository.revision(), schema.head_revision()
        state = (
            "current" if current == head else "ahead" if _from_newer_release(current) else "behind"
        )
        return {"ok": state == "current", "state": state, "current": current, "head": head}

    def _worker(self, repository: HealthRepository, stale: int) -> dict[str, Any]:
        age = _age_seconds(latest_heartbeat(repository.session))
        seconds_ago = None if age is None else round(age, 1)
        ok = age is not None and age < stale
        return {"ok": ok, "last_seen_seconds_ago": seconds_ago, "stale_after_seconds": stale}


def _from_newer_release(revision: str | None) -> bool:
    """A revision this release does not know was written by the next one: during a rolling
    upgrade the old replicas keep serving (migrations are expand-then-contract) instead of all
    failing readiness the moment ``roofops db upgrade`` finishes."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    if revision is None:
        return False
    try:
        ScriptDirectory.from_config(schema.alembic_config()).get_revision(revision)
    except CommandError:
        return True
    return False


def _age_seconds(seen_at: datetime | None) -> float | None:
    if seen_at is None:
        return None
    return max(0.0, (utcnow() - as_utc(seen_at)).total_seconds())


health_service = HealthService()
