"""Tables the runtime needs: cron claims, the embedded job queue, worker heartbeats, the SQLite
event outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from roofops.kit.types import UTCDateTime, json_type, string_enum
from roofops.models.base import Base, UUIDPrimaryKey
from roofops.models.enums import BackgroundJobStatus


class CronClaim(UUIDPrimaryKey, Base):
    """The first process to insert (job_name, tick) runs that tick; the others see a conflict."""

    __tablename__ = "cron_claims"
    __table_args__ = (sa.UniqueConstraint("job_name", "tick"),)

    job_name: Mapped[str] = mapped_column(sa.String(120))
    tick: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str] = mapped_column(sa.String(200))


class BackgroundJob(UUIDPrimaryKey, Base):
    """The embedded (SQLite) queue: written in the caller's transaction, run in-process."""

    __tablename__ = "background_jobs"
    __table_args__ = (sa.Index("ix_background_jobs_status_run_after", "status", "run_after"),)

    task_name: Mapped[str] = mapped_column(sa.String(120))
    args: Mapped[dict[str, Any]] = mapped_column(json_type(), default=dict)
    status: Mapped[BackgroundJobStatus] = mapped_column(
        string_enum(BackgroundJobStatus), default=BackgroundJobStatus.QUEUED
    )
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(sa.Integer, default=1)
    run_after: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_by: Mapped[str] = mapped_column(sa.String(200), default="")
    last_error: Mapped[str] = mapped_column(sa.Text, default="")


class WorkerHeartbeat(Base):
    """Each worker (or embedded executor) stamps this row; /health/ready reads the newest."""

    __tablename__ = "worker_heartbeats"

    worker_id: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(32))
    hostname: Mapped[str] = mapped_column(sa.String(200))
    pid: Mapped[int] = mapped_column(sa.Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class OutboxEvent(Base):
    """A live event on SQLite, written in the transaction it describes (so it exists only if
    that commits), read by every process's poller: SQLite has no LISTEN/NOTIFY, and the web
    workers, ``roofops worker`` and CLI commands are separate processes. Kept a few minutes."""

    __tablename__ = "event_outbox"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    message: Mapped[str] = mapped_column(sa.Text)
    origin: Mapped[str] = mapped_column(sa.String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
