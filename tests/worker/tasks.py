"""Tasks and helpers the runtime tests use: they leave audit rows as evidence of having run."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roofops.db import session_scope
from roofops.kit.time import utcnow
from roofops.models import ActorType, AuditLog, BackgroundJob
from roofops.worker.registry import task

ATTEMPTS: dict[str, int] = {}


@task("tests.record")
def record(db: Session, *, marker: str) -> None:
    db.add(evidence("tests.record", marker))


@task("tests.flaky", retries=2)
def flaky(db: Session, *, marker: str, failures: int) -> None:
    ATTEMPTS[marker] = ATTEMPTS.get(marker, 0) + 1
    if ATTEMPTS[marker] <= failures:
        raise RuntimeError(f"planned failure {ATTEMPTS[marker]}")
    db.add(evidence("tests.flaky", marker))


def evidence(action: str, marker: str, **changes: object) -> AuditLog:
    return AuditLog(
        occurred_at=utcnow(),
        actor_type=ActorType.SYSTEM,
        action=action,
        entity_type="test",
        entity_id=marker,
        changes=dict(changes),
    )


def evidence_count(url: str, action: str, marker: str | None = None) -> int:
    with session_scope(url) as db:
        query = sa.select(sa.func.count()).where(AuditLog.action == action)
        if marker is not None:
            query = query.where(AuditLog.entity_id == marker)
        return db.scalar(query) or 0


def clean_runtime_rows(url: str) -> None:
    with session_scope(url) as db:
        db.execute(sa.delete(AuditLog).where(AuditLog.action.like("tests.%")))
        db.execute(sa.delete(BackgroundJob))
        if url.startswith("postgresql"):
            db.execute(sa.text("DELETE FROM procrastinate_jobs"))
