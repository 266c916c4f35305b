"""The JobNimbus sync against the fake over real HTTP, into the real (rolled-back) database."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from roofops.auth.principal import SYSTEM
from roofops.config import Settings
from roofops.integrations.core.runner import run_now
from roofops.integrations.jobnimbus.client import JobNimbusClient
from roofops.integrations.jobnimbus.service import (
    REFUSED_KEY,
    SYNC_RETRY,
    JobNimbusSync,
    jobnimbus_service,
)
from roofops.integrations.jobnimbus.status_map import stage_for
from roofops.integrations.jobnimbus.sync import OVERLAP, STREAMS
from roofops.kit.http import RateLimiter
from roofops.kit.time import as_utc
from roofops.models import (
    ConnectionStatus,
    Customer,
    ExternalRef,
    IntegrationConnection,
    Job,
    JobStageEvent,
    Property,
    SyncCursor,
    SyncRun,
    SyncRunError,
    SyncRunStatus,
)
from roofops.sandbox.jobnimbus.demo_data import demo_store
from roofops.sandbox.jobnimbus.fake import FakeJobNimbusStore
from tests.integrations.jobnimbus.conftest import API_KEY, FakeJobNimbus, RecordingSleep

SMALL_STORE_JOBS = 120


class Killed(BaseException):
    """Stands for the process dying: not an Exception, so nothing in the sync catches it."""


@pytest.fixture
def connect(
    fake: FakeJobNimbus, db: Session, settings: Settings, sleep: RecordingSleep
) -> Callable[..., Callable[[str, str], JobNimbusClient]]:
    """Stores the key (checked against the fake) and returns the client factory syncs use."""

    def factory_for(api_key: str = API_KEY, **client_args: Any) -> Callable[..., JobNimbusClient]:
        def factory(key: str, base_url: str) -> JobNimbusClient:
            return JobNimbusClient(
                key,
                base_url=base_url,
                sleep=sleep,
                limiter=RateLimiter(10_000, 10_000),
                retry=SYNC_RETRY,
                **client_args,
            )

        jobnimbus_service.connect(
            db, settings, SYSTEM, api_key, base_url=fake.url, client_factory=factory
        )
        db.commit()
        return factory

    return factory_for


def sync(
    session_maker: sessionmaker[Session],
    settings: Settings,
    factory: Callable[[str, str], JobNimbusClient],
    *,
    full: bool = False,
) -> SyncRun:
    run_id = run_now(
        session_maker, settings, JobNimbusSync(factory), full=full, triggered_by="test"
    )
    with session_maker() as db:
        run = db.get(SyncRun, run_id)
        assert run is not None
        return run


def errors_of(db: Session, run: SyncRun) -> list[SyncRunError]:
    return list(db.scalars(sa.select(SyncRunError).where(SyncRunError.run_id == run.id)))


def count(db: Session, model: type[Any]) -> int:
    return db.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def small_store(fake: FakeJobNimbus) -> FakeJobNimbusStore:
    return fake.use(demo_store(SMALL_STORE_JOBS))


def stage_history(db: Session) -> set[tuple[str, str, str]]:
    """(job number, stage, when) for every stage event: what the history pages show."""
    rows = db.execute(
        sa.select(Job.number, JobStageEvent.to_stage, JobStageEvent.occurred_at).join(
            Job, Job.id == JobStageEvent.job_id
        )
    )
    return {(number, stage.value, as_utc(when).isoformat()) for number, stage, when in rows}


def synced(local_type: str) -> sa.Select[tuple[uuid.UUID]]:
    """Ids of rows that came from JobNimbus: other tests may have left rows of their own."""
    return sa.select(ExternalRef.local_id).where(ExternalRef.local_type == local_type)


def database_state(db: Session) -> dict[str, Any]:
    """Everything a sync writes, without ids: two equal states are the same database."""
    jobs = db.execute(
        sa.select(Job.number, Job.stage, Job.stage_changed_at, Job.squares, Customer.display_name)
        .join(Customer, Customer.id == Job.customer_id)
        .where(Job.id.in_(synced("job")))
        .order_by(Job.number)
    ).all()
    customers = sa.select(sa.func.count()).where(Customer.id.in_(synced("customer")))
    return {
        "jobs": [tuple(map(str, row)) for row in jobs],
        "customers": db.scalar(customers),
        "history": sorted(stage_history(db)),
    }


def expected_history(store: FakeJobNimbusStore) -> set[tuple[str, str, str]]:
    """The fake's status-change activities as stage events (consecutive same-stage ones merge)."""
    numbers = {job["jnid"]: job["number"] for job in store.records("jobs")}
    expected = set()
    for activity in store.records("activities"):
        change = _status_change(activity)
        if change is None:
            continue
        job_jnid, before, after, when = change
        if before is None or stage_for(before) != stage_for(after):
            stage = stage_for(after)
            assert stage is not None
            expected.add((numbers[job_jnid], stage.value, when))
    return expected


def _status_change(activity: dict[str, Any]) -> tuple[str, str | None, str, str] | None:
    from roofops.integrations.jobnimbus.schemas import Activity

    change = Activity.model_validate(activity).status_change()
    if change is None:
        return None
    return change.job_jnid, change.from_status, change.to_status, change.occurred_at.isoformat()


@pytest.mark.slow
def test_full_then_incremental_sync_of_5000_jobs(
    fake: FakeJobNimbus,
    connect: Callable[..., Callable[[str, str], JobNimbusClient]],
    session_maker: sessionmaker[Session],
    settings: Settings,
    db: Session,
) -> None:
    store = fake.use(demo_store(5000))
    factory = connect()
    fake.requests.clear()
    jobs_before, customers_before = count(db, Job), count(db, Customer)

    full = sync(session_maker, settings, factory)

    assert full.status == SyncRunStatus.SUCCEEDED, errors_of(db, full)
    assert count(db, Job) - jobs_before == store.count("jobs") == 5000
    assert count(db, Customer) - customers_before == store.count("contacts")
    assert stage_history(db) == expected_history(store)
    records = sum(store.count(name) for name in ("contacts", "jobs", "activities"))
    assert full.fetched == records
    # One request per page of 1,000 records (plus account settings), not one per job.
    pages = sum(-(-store.count(name) // 1000) for name in ("contacts", "jobs", "activities"))
    assert full.requests == fake.requests.count == pages + 1

    overlap = records_in_overlap(store)
    changed = [job["jnid"] for job in store.records("jobs")[:50]]
    for jnid in changed:
        store.change_status(jnid, "Lost")
    fake.requests.clear()

    incremental = sync(session_maker, settings, factory)

    assert incremental.status == SyncRunStatus.SUCCEEDED
    assert incremental.requests == fake.requests.count == 4  # settings + one page per stream
    # The 50 jobs and their 50 status-change activities, plus what the overlap window re-reads.
    assert incremental.fetched == 100 + overlap
    lost = db.scalars(sa.select(Job.number).where(Job.stage == "lost")).all()
    assert {store.get("jobs", jnid)["number"] for jnid in changed} <= set(lost)
    assert stage_history(db) == expected_history(store)


def records_in_overlap(store: FakeJobNimbusStore) -> int:
    """Records the next incremental run reads again: changed in the window before its cursor."""
    window = int(OVERLAP.total_seconds())
    total = 0
    for stream in STREAMS:
        stamps = [record["date_updated"] for record in store.records(stream)]
        total += sum(1 for stamp in stamps if stamp >= max(stamps) - window)
    return total


def test_a_second_run_changes_nothing(
    fake: FakeJobNimbus,
    connect: Callable[..., Callable[[str, str], JobNimbusClient]],
    session_maker: sessionmaker[Session],
    settings: Settings,
    db: Session,
) -> None:
    small_store(fake)
    factory = connect()
    sync(session_maker, settings, factory)
    before = database_state(db)

    again = sync(session_maker, settings, factory, full=True)

    assert again.created == again.updated == 0
    assert again.unchanged == again.fetched
    assert database_state(db) == before


def test_a_killed_sync_run_again_equals_one_clean_run(
    fake: FakeJobNimbus,
    connect: Callable[..., Callable[[str, str], JobNimbusClient]],
    session_maker: sessionmaker[Session],
    settings: Settings,
    db: Session,
) -> None:
    fake.use(demo_store(1500))  # two pages each of contacts and jobs
    factory = connect()
    sync(session_maker, settings, factory)
    clean_state = database_state(db)
    forget_everything_synced(db)

    with pytest.raises(Killed):
        sync(session_maker, settings, dying_after(factory, requests=4))
    assert 0 < db.scalar(sa.select(sa.func.count()).select_from(synced("job").subquery())) < 1500
    _age_running_runs(session_maker)

    rerun = sync(session_maker, settings, factory)

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
    db.execute(sa.delete(SyncCursor))
    db.commit()


def dying_after(
    factory: Callable[[str, str], JobNimbusClient], *, requests: int
) -> Callable[[str, str], JobNimbusClient]:
    """The process dies after ``requests`` requests: here after the first page of jobs."""

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
    connect: Callable[..., Callable[[str, str], JobNimbusClient]],
    session_maker: sessionmaker[Session],
    settings: Settings,
    db: Session,
    *,
    sleep: RecordingSleep,
) -> None:
    store = small_store(fake)
    factory = connect()
    jobs_before = count(db, Job)
    fake.requests.clear()
    fake.faults.rate_limited, fake.faults.retry_after = 3, "2"
    fake.faults.server_errors = 2

    run = sync(session_maker, settings, factory)

    assert run.status == SyncRunStatus.SUCCEEDED
    assert count(db, Job) - jobs_before == store.count("jobs")
    assert 2.0 in sleep.delays  # Retry-After honoured
    assert run.requests == fake.requests.count


def test_a_malformed_record_is_reported_and_nothing_else_is_lost(
    fake: FakeJobNimbus,
    connect: Callable[..., Callable[[str, str], JobNimbusClient]],
    session_maker: sessionmaker[Session],
    settings: Settings,
    db: Session,
) -> None:
    store = small_store(fake)
    factory = connect()
    bad = store.records("jobs")[7]
    jobs_before = count(db, Job)
    fake.faults.break_record("jobs", bad["jnid"])

    run = sync(session_maker, settings, factory)

    assert run.status == SyncRunStatus.PARTIAL
    assert count(db, Job) - jobs_before == store.count("jobs") - 1
    errors = {error.external_id: error.message for error in errors_of(db, run)}
    assert "date_updated" in errors.pop(bad["jnid"])
    # Its status changes wait for the job (and say so); nothing else was refused.
    assert all(bad["jnid"] in message for message in errors.values())


def test_an_unknown_status_is_reported_not_guessed(
    fake: FakeJobNimbus,
    connect: Callable[..., Callable[[str, str], JobNimbusClient]],
    session_maker: sessionmaker[Session],
    settings: Settings,
    db: Session,
) -> None:
    store = small_store(fake)
    factory = connect()
    sync(session_maker, settings, factory)
    job = store.records("jobs")[3]
    before = db.scalars(sa.select(Job).where(Job.number == job["number"])).one().stage
    store.add_status(job["record_type_name"], "Roof Loaded")  # an admin added it in JobNimbus
    store.update("jobs", job["jnid"], {"status_name": "Roof Loaded"})

    run = sync(session_maker, settings, factory)

    assert run.status == SyncRunStatus.PARTIAL
    messages = [error.message for error in errors_of(db, run)]  # the job and its activity
    assert messages
    assert all("'Roof Loaded'" in text and "not mapped" in text for text in messages)
    db.expire_all()
    assert db.scalars(sa.select(Job).where(Job.number == job["number"])).one().stage == before

    jobnimbus_service.map_status(db, SYSTEM, "Roof Loaded", stage_for("Materials Ordered"))
    db.commit()
    resync = sync(session_maker, settings, factory, full=True)
    assert resync.status == SyncRunStatus.SUCCEEDED
    db.expire_all()
    assert db.scalars(sa.select(Job).where(Job.number == job["number"])).one().stage == (
        "materials_ordered"
    )


def test_an_archived_job_is_hidden_but_kept(
    fake: FakeJobNimbus,
    connect: Callable[..., Callable[[str, str], JobNimbusClient]],
    session_maker: sessionmaker[Session],
    settings: Settings,
    db: Session,
) -> None:
    store = small_store(fake)
    factory = connect()
    sync(session_maker, settings, factory)
    job = store.records("jobs")[0]
    store.archive("jobs", job["jnid"])

    sync(session_maker, settings, factory)

    archived = db.scalars(sa.select(Job).where(Job.number == job["number"])).one()
    db.refresh(archived)
    assert archived.archived_at is not None


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
