"""What a test's transaction queued for the worker, on either queue."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roofops.models import BackgroundJob


def queued_args(db: Session, task_name: str) -> list[dict[str, Any]]:
    """The args of the queued ``task_name`` jobs: procrastinate's table on PostgreSQL, the
    embedded queue on SQLite."""
    if db.get_bind().dialect.name == "postgresql":
        rows = db.execute(
            sa.text("SELECT args FROM procrastinate_jobs WHERE task_name = :name"),
            {"name": task_name},
        )
        return [dict(row.args) for row in rows]
    jobs = db.scalars(sa.select(BackgroundJob).where(BackgroundJob.task_name == task_name))
    return [dict(job.args) for job in jobs]
