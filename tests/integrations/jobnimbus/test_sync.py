"""The JobNimbus sync against the fake over real HTTP, into the real (rolled-back) database:
idempotence, interruption, vendor failures, malformed records, the key.

Paging under edits and count checks: test_paging. Stage history: test_history. The status and
branch maps: test_maps.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from roofops.config import Settings
from roofops.integrations.jobnimbus.client import JobNimbusClient
from roofops.integrations.jobnimbus.service import REFUSED_KEY
from roofops.kit.time import as_utc
from roofops.models import (
    ConnectionStatus,
    CrmStatusChange,
    Customer,
    ExternalRef,
    IntegrationConnection,
    Job,
    JobStageEvent,
    Property,
    SyncCursor,
    SyncRun,
    SyncRunStatus,
)
from roofops.sandbox.jobnimbus.demo_data import demo_store
from tests.integrations.jobnimbus.conftest import API_KEY, FakeJobNimbus, RecordingSleep
from tests.integrations.jobnimbus.syncing import (
    Syncer,
    count,
    database_state,
    errors_of,
    small_store,
    sync,
    synced,
)


class Killed(BaseException):
    """Stands for the process dying: not an Exception, so nothing in the sync catches it."""


def test_a_second_run_changes_nothing(
    fake: FakeJobNimbus,
    syncer: Syncer,
    db: Session,
) -> None:
    small_store(fake)
    syncer.connect()
    syncer.sync()
    before = database_state(db)

    again = syncer.sync(full=True)

    assert again.created == again.updated == 0
    assert again.unchanged == again.fetched
    assert database_state(db) == before


def test_a_killed_sync_run_again_equals_one_clean_run(
    fake: FakeJobNimbus,
    syncer: Syncer,
    session_maker: sessionmaker[Session],
    settings: Settings,
    db: Session,
) -> None:
    fake.use(demo_store(1500))  # two pages each of contacts and jobs
    factory = syncer.connect()
    syncer.sync()
    clean_state = database_state(db)
    forget_everything_synced(db)

    with pytest.raises(Killed):
        sync(session_maker, settings, dying_after(factory, requests=6))
    assert 0 < db.scalar(sa.select(sa.func.count()).select_from(synced("job").subquery())) < 1500
    _age_running_runs(session_maker)

    rerun = syncer.sync()

    assert rerun.status == SyncRunStatus.SUCCEEDED
    assert database_state(db) == clean_state
    interrupted = db.scalars(sa.select(SyncRun).where(SyncRun.status == "failed")).one()
    assert "interrupted" in interrupted.error


def forget_everything_synced(db: Session) -> None:
    """Back to the database the clean run started from."""
    jobs, customers = synced("job"), synced("customer")
    db.execute(sa.delete(JobStageEvent).where(JobStageEvent.job_id.in_(jobs)))
    db.execute(sa.delete(Job).where(Job.id.in_(jobs)))
    db.execute(sa.delete(Property).where(Property.customer_id.in_(customers)))
    db.execute(sa.delete(Customer).where(Customer.id.in_(customers)))
    db.execute(sa.delete(ExternalRef))
    db.execute(sa.delete(CrmStatusChange))
    db.execute(sa.delete(SyncCursor))
    db.commit()


def dying_after(
    factory: Callable[[str, str], JobNimbusClient], *, requests: int
) -> Callable[[str, str], JobNimbusClient]:
    """The process dies after ``requests`` requests: here after the first page of jobs
    (account settings, then a probe and pages for each stream)."""

    def make(key: str, base_url: str) -> JobNimbusClient:
        client = factory(key, base_url)
        served = client.list_page

        def list_page(*args: Any, **kwargs: Any) -> Any:
            if client.requests_sent >= requests:
                raise Killed
            return served(*args, **kwargs)

        client.list_page = list_page  # type: ignore[method-assign]
        return client

    return make


def _age_running_runs(session_maker: sessionmaker[Session]) -> None:
    """The killed process stopped beating; let the dead-run window pass."""
    with session_maker.begin() as db:
        for run in db.scalars(sa.select(SyncRun).where(SyncRun.status == "running")):
            run.heartbeat_at = as_utc(run.heartbeat_at) - timedelta(hours=1)


def test_429_storms_and_server_errors_are_ridden_out(
    fake: FakeJobNimbus,
    syncer: Syncer,
    db: Session,
    *,
    sleep: RecordingSleep,
) -> None:
    store = small_store(fake)
    syncer.connect()
    jobs_before = count(db, Job)
    fake.requests.clear()
    fake.faults.rate_limited, fake.faults.retry_after = 3, "2"
    fake.faults.server_errors = 2

    run = syncer.sync()

    assert run.status == SyncRunStatus.SUCCEEDED
    assert count(db, Job) - jobs_before == store.count("jobs")
    assert 2.0 in sleep.delays  # Retry-After honoured
    assert run.requests == fake.requests.count


def test_a_malformed_record_is_reported_and_nothing_else_is_lost(
    fake: FakeJobNimbus,
    syncer: Syncer,
    db: Session,
) -> None:
    store = small_store(fake)
    syncer.connect()
    bad = store.records("jobs")[7]
    jobs_before = count(db, Job)
    fake.faults.break_record("jobs", bad["jnid"])

    run = syncer.sync()

    assert run.status == SyncRunStatus.PARTIAL
    assert count(db, Job) - jobs_before == store.count("jobs") - 1
    errors = {error.external_id: error for error in errors_of(db, run)}
    own = errors.pop(bad["jnid"])
    assert (own.record_type, "date_updated" in own.message) == ("job", True)
    # Its status changes wait for the job and point at its error; nothing else was refused.
    assert errors
    assert {error.record_type for error in errors.values()} == {"activity"}
    assert all(
        f"waits for job {bad['jnid']}: this run could not take it" in error.message
        for error in errors.values()
    )


def test_a_wrong_key_fails_the_connection_and_changes_nothing(
    fake: FakeJobNimbus,
    connect: Callable[..., Callable[[str, str], JobNimbusClient]],
    session_maker: sessionmaker[Session],
    settings: Settings,
    db: Session,
) -> None:
    small_store(fake)
    connect()
    jobs_before, customers_before = count(db, Job), count(db, Customer)

    def wrong_key(_key: str, base_url: str) -> JobNimbusClient:
        return JobNimbusClient("not-the-key-0000", base_url=base_url)

    run = sync(session_maker, settings, wrong_key)

    assert run.status == SyncRunStatus.FAILED
    assert run.error == REFUSED_KEY
    db.expire_all()
    connection = db.scalars(sa.select(IntegrationConnection)).one()
    assert connection.status == ConnectionStatus.FAILED
    assert connection.last_error == REFUSED_KEY
    assert (count(db, Job), count(db, Customer)) == (jobs_before, customers_before)


def test_the_key_is_stored_encrypted(
    connect: Callable[..., Callable[[str, str], JobNimbusClient]], db: Session
) -> None:
    connect()
    stored = db.scalars(sa.select(IntegrationConnection)).one()
    assert API_KEY not in stored.credentials_encrypted
    assert stored.credentials_origin == "ui"
