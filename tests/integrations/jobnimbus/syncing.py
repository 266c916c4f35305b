"""Running a JobNimbus sync in a test, and reading what it wrote, against the fake's records."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from roofops.config import Settings
from roofops.integrations.core.runner import run_now, run_sync
from roofops.integrations.jobnimbus.client import JobNimbusClient
from roofops.integrations.jobnimbus.schemas import Activity
from roofops.integrations.jobnimbus.service import JobNimbusSync
from roofops.integrations.jobnimbus.status_map import DEFAULT_STATUS_MAP, stage_lookup
from roofops.kit.time import as_utc
from roofops.models import (
    Customer,
    ExternalRef,
    Job,
    JobStageEvent,
    SyncRun,
    SyncRunError,
)
from roofops.sandbox.jobnimbus.demo_data import demo_store
from roofops.sandbox.jobnimbus.fake import FakeJobNimbusStore, Record
from tests.integrations.jobnimbus.conftest import Clock, FakeJobNimbus

ClientFactory = Callable[[str, str], JobNimbusClient]
# The stage a status means by the stock map.
stage_for = stage_lookup(DEFAULT_STATUS_MAP)
SMALL_STORE_JOBS = 120


def sync(
    session_maker: sessionmaker[Session],
    settings: Settings,
    factory: ClientFactory,
    *,
    full: bool = False,
) -> SyncRun:
    run_id = run_now(
        session_maker, settings, JobNimbusSync(factory), full=full, triggered_by="test"
    )
    return run_of(session_maker, run_id)


@dataclass
class Syncer:
    """A test's JobNimbus connection and the syncs run on it: ``connect()`` where the test's
    story connects (the fake's account may be set up first), then ``sync()`` as often as the
    story needs."""

    session_maker: sessionmaker[Session]
    settings: Settings
    connector: Callable[..., ClientFactory]
    factory: ClientFactory | None = None

    def connect(self, **client_args: Any) -> ClientFactory:
        self.factory = self.connector(**client_args)
        return self.factory

    def sync(self, *, full: bool = False) -> SyncRun:
        return sync(self.session_maker, self.settings, self._factory(), full=full)

    def carry_out(self, run: SyncRun) -> SyncRun:
        return carry_out(self.session_maker, self.settings, self._factory(), run)

    def _factory(self) -> ClientFactory:
        assert self.factory is not None, "connect() first"
        return self.factory


def carry_out(
    session_maker: sessionmaker[Session], settings: Settings, factory: ClientFactory, run: SyncRun
) -> SyncRun:
    """What the worker does with a queued run (a full resync asked for by a saved map)."""
    run_sync(session_maker, settings, JobNimbusSync(factory), run_id=run.id, full=True)
    return run_of(session_maker, run.id)


def run_of(session_maker: sessionmaker[Session], run_id: uuid.UUID) -> SyncRun:
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


def local_job(db: Session, number: str) -> Job:
    db.expire_all()
    return db.scalars(sa.select(Job).where(Job.number == number)).one()


def events_of(db: Session, job: Job) -> list[tuple[str | None, str, str]]:
    """(from, to, when) of a job's stage events, oldest first."""
    rows = db.scalars(
        sa.select(JobStageEvent)
        .where(JobStageEvent.job_id == job.id)
        .order_by(JobStageEvent.occurred_at)
    )
    return [
        (e.from_stage.value if e.from_stage else None, e.to_stage.value, _iso(e.occurred_at))
        for e in rows
    ]


def stage_history(db: Session) -> set[tuple[str, str, str]]:
    """(job number, stage, when) for every stage event: what the history pages show."""
    rows = db.execute(
        sa.select(Job.number, JobStageEvent.to_stage, JobStageEvent.occurred_at).join(
            Job, Job.id == JobStageEvent.job_id
        )
    )
    return {(number, stage.value, _iso(when)) for number, stage, when in rows}


def synced(local_type: str) -> sa.Select[tuple[uuid.UUID]]:
    """Ids of rows that came from JobNimbus: other tests may have left rows of their own."""
    return sa.select(ExternalRef.local_id).where(ExternalRef.local_type == local_type)


def synced_stages(db: Session) -> dict[str, str]:
    """Job number -> stage, for every job that came from JobNimbus."""
    rows = db.execute(sa.select(Job.number, Job.stage).where(Job.id.in_(synced("job"))))
    return {number: stage.value for number, stage in rows}


def expected_stages(store: FakeJobNimbusStore) -> dict[str, str]:
    """Job number -> the stage its JobNimbus status maps to, by the default map."""
    stages = {}
    for job in store.records("jobs"):
        stage = stage_for(job["status_name"])
        assert stage is not None
        stages[job["number"]] = stage.value
    return stages


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
        change = Activity.model_validate(activity).status_change()
        if change is None:
            continue
        before, after = change.from_status, change.to_status
        if before is None or stage_for(before) != stage_for(after):
            stage = stage_for(after)
            assert stage is not None
            expected.add((numbers[change.job_jnid], stage.value, change.occurred_at.isoformat()))
    return expected


def _iso(moment: Any) -> str:
    return str(as_utc(moment).isoformat())


@dataclass
class Crm:
    """A small JobNimbus account whose office works on the test's clock."""

    store: FakeJobNimbusStore
    clock: Clock

    def new_job(self, status: str = "Lead", workflow: str = "Residential") -> Record:
        contact = self.store.add("contacts", {"display_name": "Pat Doe", **ADDRESS})
        primary = {"id": contact["jnid"], "type": "contact", "name": "Pat Doe"}
        body = {"name": "Hail claim", "record_type_name": workflow, "status_name": status}
        return self.store.create("jobs", {**body, "primary": primary, **ADDRESS})

    def move(self, job: Record, status: str, *, hours: float = 1) -> datetime:
        """An hour (by default) later, the office moves the job on."""
        moment = self.clock.advance(hours * 3600)
        self.store.change_status(job["jnid"], status)
        return moment


ADDRESS = {"address_line1": "1420 Larimer St", "city": "Denver", "state_text": "CO", "zip": "80202"}


def iso(moment: datetime) -> str:
    return as_utc(moment).isoformat()
