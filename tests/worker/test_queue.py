"""enqueue() is transactional: a rolled-back job never runs, a committed one runs once."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa

from roofops.db import session_scope
from roofops.models import BackgroundJob, BackgroundJobStatus
from roofops.worker.embedded import EmbeddedExecutor
from roofops.worker.queue import enqueue
from tests.worker.tasks import clean_runtime_rows, evidence_count


@pytest.fixture
def url(database_url: str) -> Iterator[str]:
    clean_runtime_rows(database_url)
    yield database_url
    clean_runtime_rows(database_url)


def run_queued_jobs(url: str) -> None:
    """Run what is queued, with the executor of the database at hand."""
    if url.startswith("postgresql"):
        from roofops.worker.procrastinate_app import run_worker

        run_worker(url, concurrency=1, wait=False)
    else:
        EmbeddedExecutor(url, worker_id="tests", threads=1, stale_seconds=60).run_pending()


def test_committed_job_runs_once(url: str) -> None:
    marker = uuid.uuid4().hex
    with session_scope(url) as db:
        enqueue(db, "tests.record", marker=marker)
    run_queued_jobs(url)
    run_queued_jobs(url)
    assert evidence_count(url, "tests.record", marker) == 1


def test_rolled_back_job_never_runs(url: str) -> None:
    marker = uuid.uuid4().hex
    with pytest.raises(RuntimeError, match="caller"):
        enqueue_then_fail(url, marker)
    run_queued_jobs(url)
    assert evidence_count(url, "tests.record", marker) == 0


def enqueue_then_fail(url: str, marker: str) -> None:
    with session_scope(url) as db:
        enqueue(db, "tests.record", marker=marker)
        raise RuntimeError("the caller's work failed")


def test_unknown_task_and_non_json_args_fail_at_enqueue(url: str) -> None:
    from roofops.exceptions import ConfigurationError

    with session_scope(url) as db:
        with pytest.raises(ConfigurationError):
            enqueue(db, "tests.nope")
        with pytest.raises(TypeError):
            enqueue(db, "tests.record", marker=object())


def test_embedded_failures_retry_then_record_the_error(url: str, is_postgres: bool) -> None:
    if is_postgres:
        pytest.skip("the embedded queue is the SQLite executor")
    executor = EmbeddedExecutor(url, worker_id="tests", threads=1, stale_seconds=60)
    with session_scope(url) as db:
        enqueue(db, "tests.flaky", marker="gives-up", failures=5)
        enqueue(db, "tests.flaky", marker="recovers", failures=1)
    for _ in range(3):
        with session_scope(url) as db:  # make retries due now instead of after the backoff
            db.execute(sa.update(BackgroundJob).values(run_after=sa.func.current_timestamp()))
        executor.run_pending()
    assert evidence_count(url, "tests.flaky", "recovers") == 1
    with session_scope(url) as db:
        failed = db.scalars(
            sa.select(BackgroundJob).where(BackgroundJob.status == BackgroundJobStatus.FAILED)
        ).all()
    assert [(job.attempts, "planned failure 3" in job.last_error) for job in failed] == [(3, True)]


def test_job_abandoned_by_a_dead_process_is_requeued(url: str, is_postgres: bool) -> None:
    if is_postgres:
        pytest.skip("procrastinate recovers stalled jobs itself")
    marker = uuid.uuid4().hex
    with session_scope(url) as db:
        enqueue(db, "tests.record", marker=marker)
    with session_scope(url) as db:
        db.execute(
            sa.update(BackgroundJob).values(status=BackgroundJobStatus.RUNNING, locked_by="gone:1")
        )
    executor = EmbeddedExecutor(url, worker_id="tests", threads=1, stale_seconds=60)
    executor.start()  # requeues what no live process holds, then runs it
    try:
        assert wait_until(lambda: evidence_count(url, "tests.record", marker) == 1)
    finally:
        executor.stop()


def wait_until(condition: Callable[[], bool], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False
