"""Stage history exactly as JobNimbus says it, over HTTP against the fake: one event per stage
dated when the stage began, history entries re-derived when a status gets mapped, archive dates
that stay put, and errors that name their record and point at a real cause."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from roofops.auth.principal import SYSTEM
from roofops.config import Settings
from roofops.integrations.jobnimbus.service import jobnimbus_service
from roofops.kit.time import as_utc
from roofops.models import JobStage, SyncRunStatus
from roofops.sandbox.jobnimbus.fake import FakeJobNimbusStore, Record, status_change_activity
from tests.integrations.jobnimbus.conftest import Clock, FakeJobNimbus
from tests.integrations.jobnimbus.syncing import (
    Crm,
    Syncer,
    errors_of,
    events_of,
    iso,
    local_job,
)


@pytest.fixture
def crm(fake: FakeJobNimbus, clock: Clock) -> Crm:
    return Crm(fake.use(FakeJobNimbusStore(clock=clock)), clock)


def test_two_statuses_of_one_stage_are_one_event_dated_when_the_stage_began(
    crm: Crm,
    syncer: Syncer,
    db: Session,
) -> None:
    syncer.connect()
    job = crm.new_job()
    created = crm.clock.now
    scheduled = crm.move(job, "Appointment Scheduled")
    crm.move(job, "Inspection Complete")  # the same stage: inspection

    first = syncer.sync()  # the job arrives before its history

    local = local_job(db, job["number"])
    expected = [(None, "lead", iso(created)), ("lead", "inspection", iso(scheduled))]
    assert first.status == SyncRunStatus.SUCCEEDED, errors_of(db, first)
    assert events_of(db, local) == expected
    assert (local.stage, as_utc(local.stage_changed_at)) == (JobStage.INSPECTION, scheduled)

    again = syncer.sync(full=True)

    assert (again.created, again.updated) == (0, 0)
    assert events_of(db, local_job(db, job["number"])) == expected


def test_a_later_status_of_the_same_stage_keeps_the_stage_start(
    crm: Crm,
    syncer: Syncer,
    db: Session,
) -> None:
    syncer.connect()
    job = crm.new_job()
    scheduled = crm.move(job, "Appointment Scheduled")
    syncer.sync()
    crm.move(job, "Inspection Complete")

    syncer.sync()

    local = local_job(db, job["number"])
    assert as_utc(local.stage_changed_at) == scheduled
    assert [to for _, to, _ in events_of(db, local)] == ["lead", "inspection"]


def test_history_entries_of_an_unmapped_status_count_once_it_is_mapped(
    crm: Crm,
    syncer: Syncer,
    settings: Settings,
    db: Session,
) -> None:
    syncer.connect()
    crm.store.add_status("Residential", "Roof Loaded")  # an admin added it in JobNimbus
    job = crm.new_job()
    created = crm.clock.now
    loaded = crm.move(job, "Roof Loaded")
    started = crm.move(job, "In Progress")

    syncer.sync()

    lead = (None, "lead", iso(created))
    local = local_job(db, job["number"])
    assert events_of(db, local) == [lead, ("lead", "in_production", iso(started))]

    resync = jobnimbus_service.save_statuses_and_resync(
        db, settings, SYSTEM, [("Roof Loaded", JobStage.MATERIALS_ORDERED)]
    )
    db.commit()
    assert resync.run is not None
    syncer.carry_out(resync.run)

    assert events_of(db, local_job(db, job["number"])) == [
        lead,
        ("lead", "materials_ordered", iso(loaded)),
        ("materials_ordered", "in_production", iso(started)),
    ]


def test_an_archived_job_keeps_its_archive_date_when_edited_later(
    crm: Crm,
    syncer: Syncer,
    db: Session,
) -> None:
    syncer.connect()
    job = crm.new_job()
    archived = crm.clock.advance(3600)
    crm.store.archive("jobs", job["jnid"])
    syncer.sync()
    crm.clock.advance(86_400)
    crm.store.update("jobs", job["jnid"], {"description": "Customer called back"})

    syncer.sync()

    local = local_job(db, job["number"])
    assert local.description == "Customer called back"
    assert local.archived_at is not None
    assert as_utc(local.archived_at) == archived


def test_a_malformed_activity_is_reported_as_an_activity(
    crm: Crm,
    fake: FakeJobNimbus,
    syncer: Syncer,
    *,
    db: Session,
) -> None:
    syncer.connect()
    job = crm.new_job()
    crm.move(job, "Appointment Scheduled")
    bad = crm.store.records("activities")[-1]
    fake.faults.break_record("activities", bad["jnid"])

    run = syncer.sync()

    assert [(e.record_type, e.external_id) for e in errors_of(db, run)] == [
        ("activity", bad["jnid"])
    ]


def test_a_status_change_of_a_job_jobnimbus_does_not_return_says_why(
    crm: Crm,
    syncer: Syncer,
    db: Session,
) -> None:
    syncer.connect()
    crm.new_job()
    orphan = crm.store.add("activities", logged_change({"jnid": "gone1", "name": "Deleted"}))

    run = syncer.sync()

    assert [(e.record_type, e.external_id, e.message) for e in errors_of(db, run)] == [
        (
            "activity",
            orphan["jnid"],
            "waits for job gone1: JobNimbus does not return it (HTTP 404): it was deleted, or "
            "this API key's access profile cannot see it",
        )
    ]


def test_a_contacts_status_change_is_not_a_jobs(
    crm: Crm,
    syncer: Syncer,
    db: Session,
) -> None:
    syncer.connect()
    job = crm.new_job()
    contact = {"id": job["primary"]["id"], "type": "contact", "name": "Pat Doe"}
    crm.store.add("activities", {**logged_change(job), "primary": contact})

    run = syncer.sync()

    assert run.status == SyncRunStatus.SUCCEEDED, errors_of(db, run)


def logged_change(job: dict[str, Any]) -> Record:
    at = int((datetime(2025, 6, 2, 8, 0, tzinfo=UTC) - timedelta(hours=1)).timestamp())
    return status_change_activity(
        f"act-{job['jnid']}",
        job,
        from_status="Lead",
        to_status="Appointment Scheduled",
        status_id=None,
        at=at,
        updated=at,
        actor="Office",
    )
