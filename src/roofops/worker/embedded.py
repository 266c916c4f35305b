"""The embedded executor (SQLite): runs queued ``background_jobs`` rows in this process.

Claims are atomic, so several processes (``roofops serve`` and ``roofops worker``) can run
executors on one database; each job runs once. Failed jobs retry with exponential backoff.
"""

from __future__ import annotations

import threading
import traceback
import uuid
import weakref
from datetime import timedelta

from roofops.db import session_scope
from roofops.kit.time import utcnow
from roofops.logging import get_logger
from roofops.models.enums import BackgroundJobStatus
from roofops.models.runtime import BackgroundJob
from roofops.worker.registry import run_task
from roofops.worker.repository import BackgroundJobRepository, HeartbeatRepository

log = get_logger(__name__)
POLL_SECONDS = 2.0
_executors: weakref.WeakSet[EmbeddedExecutor] = weakref.WeakSet()


def wake_executors() -> None:
    """Called after a commit that queued a job: the executors look at once instead of polling."""
    for executor in list(_executors):
        executor.wake()


class EmbeddedExecutor:
    def __init__(self, database_url: str, *, worker_id: str, threads: int, stale_seconds: int):
        self.database_url = database_url
        self.worker_id = worker_id
        self.stale_seconds = stale_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._loop, name=f"roofops-executor-{n}", daemon=True)
            for n in range(threads)
        ]

    def start(self) -> None:
        self._requeue_abandoned()
        _executors.add(self)
        for thread in self._threads:
            thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout)
        _executors.discard(self)

    def wake(self) -> None:
        self._wake.set()

    def run_pending(self) -> int:
        """Run due jobs until none is left; returns how many ran (used by tests and the loop)."""
        ran = 0
        while not self._stop.is_set():
            job_id = self._claim_next()
            if job_id is None:
                return ran
            self._run(job_id)
            ran += 1
        return ran

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_pending()
            except Exception:  # keep the executor alive through a database hiccup
                log.exception("worker.executor.loop_failed")
            self._wake.wait(POLL_SECONDS)
            self._wake.clear()

    def _requeue_abandoned(self) -> None:
        with session_scope(self.database_url) as db:
            since = utcnow() - timedelta(seconds=self.stale_seconds)
            live = [*HeartbeatRepository(db).live_worker_ids(since), self.worker_id]
            count = BackgroundJobRepository(db).requeue_abandoned(live)
        if count:
            log.warning("worker.jobs.requeued", count=count)

    def _claim_next(self) -> uuid.UUID | None:
        with session_scope(self.database_url) as db:
            jobs = BackgroundJobRepository(db)
            job_id = jobs.next_due_id(utcnow())
            if job_id is None or not jobs.claim(job_id, self.worker_id, utcnow()):
                return None if job_id is None else self._claim_next_after_race()
            return job_id

    def _claim_next_after_race(self) -> uuid.UUID | None:
        # Another process took the row we saw; look again rather than sleep a whole poll.
        return self._claim_next()

    def _run(self, job_id: uuid.UUID) -> None:
        with session_scope(self.database_url) as db:
            job = db.get(BackgroundJob, job_id)
            assert job is not None
            name, args = job.task_name, dict(job.args)
        try:
            run_task(name, args, database_url=self.database_url)
        except Exception as exc:
            self._record_failure(job_id, exc)
        else:
            self._finish(job_id, BackgroundJobStatus.SUCCEEDED, "")

    def _record_failure(self, job_id: uuid.UUID, exc: Exception) -> None:
        error = "".join(traceback.format_exception_only(exc)).strip()[:2000]
        with session_scope(self.database_url) as db:
            job = db.get(BackgroundJob, job_id)
            assert job is not None
            job.last_error = error
            if job.attempts < job.max_attempts:
                job.status = BackgroundJobStatus.QUEUED
                job.locked_by = ""
                job.run_after = utcnow() + timedelta(seconds=2**job.attempts)
                log.warning("worker.job.retrying", task=job.task_name, attempt=job.attempts)
                return
            job.status = BackgroundJobStatus.FAILED
            job.finished_at = utcnow()
            log.error("worker.job.failed", task=job.task_name, error=error)

    def _finish(self, job_id: uuid.UUID, status: BackgroundJobStatus, error: str) -> None:
        with session_scope(self.database_url) as db:
            job = db.get(BackgroundJob, job_id)
            assert job is not None
            job.status, job.last_error, job.finished_at = status, error, utcnow()
