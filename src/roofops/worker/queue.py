"""enqueue(): a background job written in the same transaction as the data it concerns.

On PostgreSQL the job goes into procrastinate through the caller's own connection, with its SQL
defer function, so a rollback drops it. On SQLite it is a row of the embedded queue, and the
in-process executor is woken once the caller commits.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roofops.db import after_commit
from roofops.kit.time import utcnow
from roofops.models.runtime import BackgroundJob
from roofops.worker.registry import get_task, task
from roofops.worker.repository import BackgroundJobRepository

__all__ = ["enqueue", "task"]

DEFAULT_QUEUE = "default"
_DEFER = sa.text(
    "SELECT procrastinate_defer_jobs_v1(ARRAY[ROW(:queue, :task, 0, NULL::text, NULL::text, "
    "CAST(:args AS jsonb), NULL::timestamptz)::procrastinate_job_to_defer_v1])"
)


def enqueue(db: Session, task_name: str, **args: Any) -> None:
    """Queue ``task_name`` in the same transaction as ``db``: it runs only if ``db`` commits."""
    spec = get_task(task_name)
    payload = json.dumps(args)  # fails here, not in the worker, when args are not JSON
    if db.get_bind().dialect.name == "postgresql":
        db.execute(_DEFER, {"queue": DEFAULT_QUEUE, "task": spec.name, "args": payload})
        return
    now = utcnow()
    BackgroundJobRepository(db).add(
        BackgroundJob(
            task_name=spec.name,
            args=args,
            max_attempts=spec.retries + 1,
            run_after=now,
            created_at=now,
        )
    )
    after_commit(db, _wake_embedded_executor)


def _wake_embedded_executor() -> None:
    from roofops.worker.embedded import wake_executors

    wake_executors()
