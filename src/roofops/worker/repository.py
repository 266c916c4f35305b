"""Queries for the embedded queue, cron claims and worker heartbeats."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from roofops.kit.repository import Repository
from roofops.kit.time import utcnow
from roofops.models.enums import BackgroundJobStatus
from roofops.models.runtime import BackgroundJob, CronClaim, WorkerHeartbeat


class BackgroundJobRepository(Repository[BackgroundJob]):
    model = BackgroundJob

    def next_due_id(self, now: datetime) -> uuid.UUID | None:
        return self.session.scalar(
            sa.select(BackgroundJob.id)
            .where(
                BackgroundJob.status == BackgroundJobStatus.QUEUED,
                BackgroundJob.run_after <= now,
            )
            .order_by(BackgroundJob.run_after)
            .limit(1)
        )

    def claim(self, job_id: uuid.UUID, worker_id: str, now: datetime) -> bool:
        """Atomic: of two processes claiming one row, exactly one updates it."""
        result = self.session.execute(
            sa.update(BackgroundJob)
            .where(BackgroundJob.id == job_id, BackgroundJob.status == BackgroundJobStatus.QUEUED)
            .values(
                status=BackgroundJobStatus.RUNNING,
                locked_by=worker_id,
                started_at=now,
                attempts=BackgroundJob.attempts + 1,
            )
        )
        return result.rowcount == 1  # type: ignore[attr-defined, no-any-return]

    def requeue_abandoned(self, live_workers: Iterable[str]) -> int:
        """Put back jobs left running by a process that no longer heartbeats."""
        result = self.session.execute(
            sa.update(BackgroundJob)
            .where(
                BackgroundJob.status == BackgroundJobStatus.RUNNING,
                BackgroundJob.locked_by.not_in(list(live_workers)),
            )
            .values(status=BackgroundJobStatus.QUEUED, locked_by="", run_after=utcnow())
        )
        return result.rowcount  # type: ignore[attr-defined, no-any-return]

    def delete_finished_before(self, cutoff: datetime) -> int:
        result = self.session.execute(
            sa.delete(BackgroundJob).where(
                BackgroundJob.status.in_(
                    [BackgroundJobStatus.SUCCEEDED, BackgroundJobStatus.FAILED]
                ),
                BackgroundJob.finished_at < cutoff,
            )
        )
        return result.rowcount  # type: ignore[attr-defined, no-any-return]


class CronClaimRepository(Repository[CronClaim]):
    model = CronClaim

    def claim(self, job_name: str, tick: datetime, claimed_by: str) -> bool:
        """Insert-or-nothing on (job_name, tick): True only for the process whose row went in."""
        dialect = self.session.get_bind().dialect.name
        if dialect == "postgresql" and not self._advisory_lock(job_name, tick):
            return False
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = (
            insert(CronClaim)
            .values(
                id=uuid.uuid4(),
                job_name=job_name,
                tick=tick,
                claimed_at=utcnow(),
                claimed_by=claimed_by,
            )
            .on_conflict_do_nothing(index_elements=["job_name", "tick"])
            .returning(CronClaim.id)
        )
        # RETURNING says unambiguously whether our row went in (rowcount is -1 on some paths).
        return self.session.execute(statement).scalar() is not None

    def _advisory_lock(self, job_name: str, tick: datetime) -> bool:
        return bool(
            self.session.scalar(
                sa.select(sa.func.pg_try_advisory_xact_lock(sa.func.hashtext(f"{job_name}@{tick}")))
            )
        )

    def delete_before(self, cutoff: datetime) -> int:
        result = self.session.execute(sa.delete(CronClaim).where(CronClaim.tick < cutoff))
        return result.rowcount  # type: ignore[attr-defined, no-any-return]


class HeartbeatRepository(Repository[WorkerHeartbeat]):
    model = WorkerHeartbeat

    def beat(self, heartbeat: WorkerHeartbeat) -> None:
        self.session.merge(heartbeat)
        self.session.flush()

    def remove(self, worker_id: str) -> None:
        self.session.execute(
            sa.delete(WorkerHeartbeat).where(WorkerHeartbeat.worker_id == worker_id)
        )

    def latest(self) -> datetime | None:
        return self.session.scalar(sa.select(sa.func.max(WorkerHeartbeat.seen_at)))

    def live_worker_ids(self, since: datetime) -> list[str]:
        return list(
            self.session.scalars(
                sa.select(WorkerHeartbeat.worker_id).where(WorkerHeartbeat.seen_at >= since)
            )
        )
