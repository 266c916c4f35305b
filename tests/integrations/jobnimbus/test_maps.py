"""The status map and the branch map as the sync applies them, over HTTP against the fake: jobs
in a status nobody mapped come in flagged at their last known stage, and a saved map with its
resync puts stages, history and branches right."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from roofops.auth.principal import SYSTEM
from roofops.config import Settings
from roofops.exceptions import ValidationFailed
from roofops.integrations.jobnimbus.client import JobNimbusClient
from roofops.integrations.jobnimbus.service import BranchChoice, jobnimbus_service
from roofops.kit.time import as_utc, utcnow
from roofops.models import (
    Branch,
    CrmBranchKey,
    CrmBranchMapping,
    Job,
    JobStage,
    Provider,
    SyncKind,
    SyncRun,
    SyncRunStatus,
)
from roofops.sandbox.jobnimbus.fake import FakeJobNimbusStore
from tests.factories import make_branch
from tests.integrations.jobnimbus.conftest import Clock, FakeJobNimbus
from tests.integrations.jobnimbus.syncing import (
    Crm,
    Syncer,
    errors_of,
    events_of,
    iso,
    local_job,
    small_store,
    synced,
)

Connect = Callable[..., Callable[[str, str], JobNimbusClient]]
UNKNOWN = "Roof Loaded"


@pytest.fixture
def crm(fake: FakeJobNimbus, clock: Clock) -> Crm:
    store = fake.use(FakeJobNimbusStore(clock=clock))
    store.add_status("Residential", UNKNOWN)  # an admin added it in JobNimbus, not in roofops
    return Crm(store, clock)


# ----- statuses the map does not know -------------------------------------------------------
def test_jobs_in_an_unknown_status_come_in_flagged_and_a_mapped_resync_puts_them_right(
    crm: Crm,
    syncer: Syncer,
    settings: Settings,
    db: Session,
) -> None:
    syncer.connect()
    moved = crm.new_job()
    scheduled = crm.move(moved, "Appointment Scheduled")
    loaded = crm.move(moved, UNKNOWN)
    born = crm.new_job(status=UNKNOWN)
    created = crm.clock.now

    run = syncer.sync()

    assert run.status == SyncRunStatus.PARTIAL
    first, second = local_job(db, moved["number"]), local_job(db, born["number"])
    assert (first.stage, as_utc(first.stage_changed_at)) == (JobStage.INSPECTION, scheduled)
    assert (second.stage, as_utc(second.stage_changed_at)) == (JobStage.LEAD, created)
    assert first.unmapped_crm_status == second.unmapped_crm_status == UNKNOWN
    reported = {(e.record_type, e.external_id): e.message for e in errors_of(db, run)}
    assert set(reported) == {("job", moved["jnid"]), ("job", born["jnid"])}
    assert (
        f"status '{UNKNOWN}' (workflow 'Residential') is not in the status map"
        in (reported[("job", moved["jnid"])])
    )
    assert "is in at its last known stage, flagged" in reported[("job", moved["jnid"])]

    view = jobnimbus_service.status_map_view(db)
    [unmapped] = view.unmapped
    assert (unmapped.status_name, unmapped.jobs, unmapped.history_entries) == (UNKNOWN, 2, 2)
    assert unmapped.in_workflows
    assert {job.number for job in unmapped.examples} == {moved["number"], born["number"]}

    resync = jobnimbus_service.save_statuses_and_resync(
        db, settings, SYSTEM, [(UNKNOWN, JobStage.MATERIALS_ORDERED)]
    )
    db.commit()
    assert resync.run is not None
    assert resync.run.kind == SyncKind.FULL
    done = syncer.carry_out(resync.run)

    assert done.status == SyncRunStatus.SUCCEEDED, errors_of(db, done)
    first, second = local_job(db, moved["number"]), local_job(db, born["number"])
    assert first.unmapped_crm_status == second.unmapped_crm_status == ""
    assert (first.stage, as_utc(first.stage_changed_at)) == (JobStage.MATERIALS_ORDERED, loaded)
    assert [to for _, to, _ in events_of(db, first)] == ["lead", "inspection", "materials_ordered"]
    assert events_of(db, second) == [(None, "materials_ordered", iso(created))]
    assert jobnimbus_service.status_map_view(db).unmapped == []


def test_the_map_shows_the_accounts_workflows_from_the_last_sync(
    fake: FakeJobNimbus,
    syncer: Syncer,
    db: Session,
) -> None:
    small_store(fake)
    syncer.connect()
    syncer.sync()
    jobnimbus_service.map_status(db, SYSTEM, "Waiting on HOA", JobStage.ESTIMATE)

    view = jobnimbus_service.status_map_view(db)

    assert [w.name for w in view.workflows] == ["Residential", "Insurance", "Commercial", "Repair"]
    insurance = {s.status_name: s for s in view.workflows[1].statuses}
    assert (insurance["Claim Filed"].stage, insurance["Claim Filed"].chosen_in) == (
        JobStage.ESTIMATE,
        "",
    )
    assert insurance["Lead"].chosen_in == "Residential"  # the map is by name
    assert insurance["Paid & Closed"].is_closed
    assert [m.status_name for m in view.other_mappings] == ["Waiting on HOA"]
    assert view.unmapped == []


def test_a_saved_map_stays_saved_when_no_resync_can_start(
    connect: Connect, settings: Settings, db: Session
) -> None:
    connect()
    now = utcnow()
    db.add(
        SyncRun(
            provider=Provider.JOBNIMBUS,
            kind=SyncKind.INCREMENTAL,
            status=SyncRunStatus.RUNNING,
            triggered_by="schedule",
            started_at=now,
            heartbeat_at=now,
        )
    )
    db.flush()

    resync = jobnimbus_service.save_statuses_and_resync(
        db, settings, SYSTEM, [(UNKNOWN, JobStage.MATERIALS_ORDERED), ("Lead", None)]
    )

    assert resync.run is None
    assert "already running" in resync.refused
    lookup = jobnimbus_service.stage_lookup(db)
    assert (lookup(UNKNOWN), lookup("Lead")) == (JobStage.MATERIALS_ORDERED, None)


# ----- the branch map -----------------------------------------------------------------------
@pytest.fixture
def offices(fake: FakeJobNimbus, db: Session) -> dict[str, Branch]:
    """Our branches named as the fake's locations (the demo's branches)."""
    names = {job["location"]["name"] for job in fake.demo.records("jobs")}
    branches = {}
    for name in sorted(names):
        branch = make_branch(db)
        branch.name = name
        branches[name] = branch
    db.commit()
    return branches


def test_jobs_take_the_branch_named_like_their_location(
    fake: FakeJobNimbus,
    offices: dict[str, Branch],
    syncer: Syncer,
    *,
    db: Session,
) -> None:
    store = small_store(fake)

    syncer.connect()

    syncer.sync()

    assert job_branches(db) == {
        job["number"]: offices[job["location"]["name"]].id for job in store.records("jobs")
    }
    rows = jobnimbus_service.branch_map(db).mappings
    seen = store.records("jobs")
    assert {(r.kind, r.name) for r in rows} == {
        *((CrmBranchKey.LOCATION, job["location"]["name"]) for job in seen),
        *((CrmBranchKey.SALES_REP, job["sales_rep_name"]) for job in seen),
    }
    assert all(r.branch_id is None for r in rows if r.kind == CrmBranchKey.SALES_REP)


def test_a_saved_branch_map_moves_jobs_on_resync_location_first_then_sales_rep(
    fake: FakeJobNimbus,
    offices: dict[str, Branch],
    syncer: Syncer,
    settings: Settings,
    *,
    db: Session,
) -> None:
    store = small_store(fake)
    syncer.connect()
    syncer.sync()
    first, *others = store.records("jobs")
    away = store.update("jobs", others[0]["jnid"], {"location": None})  # no location now
    yard = make_branch(db, name="Storm yard")
    location = row_of(db, CrmBranchKey.LOCATION, first["location"]["name"])
    rep = row_of(db, CrmBranchKey.SALES_REP, away["sales_rep_name"])
    choices = [
        BranchChoice(location.kind, location.external_id, yard.id),
        BranchChoice(rep.kind, rep.external_id, yard.id),
    ]

    resync = jobnimbus_service.save_branches_and_resync(db, settings, SYSTEM, choices)
    db.commit()
    assert resync.run is not None
    syncer.carry_out(resync.run)

    branches = job_branches(db)
    for job in store.records("jobs"):
        if job["jnid"] == away["jnid"] or job.get("location", {}) == first["location"]:
            assert branches[job["number"]] == yard.id  # its location's, else its rep's
        elif job["sales_rep_name"] == away["sales_rep_name"]:
            assert branches[job["number"]] == offices[job["location"]["name"]].id


def test_a_branch_map_choice_for_something_never_synced_is_refused(
    offices: dict[str, Branch], connect: Connect, settings: Settings, db: Session
) -> None:
    connect()
    branch = next(iter(offices.values()))
    unknown = BranchChoice(CrmBranchKey.LOCATION, "no-such-location", branch.id)

    with pytest.raises(ValidationFailed, match="no JobNimbus location 'no-such-location'"):
        jobnimbus_service.save_branches_and_resync(db, settings, SYSTEM, [unknown])


def test_a_branch_map_choice_of_an_unknown_branch_is_refused(
    fake: FakeJobNimbus,
    syncer: Syncer,
    settings: Settings,
    db: Session,
) -> None:
    small_store(fake)
    syncer.connect()
    syncer.sync()
    row = jobnimbus_service.branch_map(db).mappings[0]

    with pytest.raises(ValidationFailed, match="no such branch"):
        jobnimbus_service.save_branches_and_resync(
            db, settings, SYSTEM, [BranchChoice(row.kind, row.external_id, uuid.uuid4())]
        )


def job_branches(db: Session) -> dict[str, uuid.UUID | None]:
    db.expire_all()
    rows = db.execute(sa.select(Job.number, Job.branch_id).where(Job.id.in_(synced("job"))))
    return dict(rows.all())


def row_of(db: Session, kind: CrmBranchKey, name: str) -> CrmBranchMapping:
    statement = sa.select(CrmBranchMapping).where(
        CrmBranchMapping.kind == kind, CrmBranchMapping.name == name
    )
    return db.scalars(statement).one()
