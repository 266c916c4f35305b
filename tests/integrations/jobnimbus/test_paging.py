"""Reading whole lists while the office edits records: the fake moves edited records the way
JobNimbus does, offset paging by ``date_updated`` loses records to it, and the sync (creation
order, cursors from the start of each read, count checks) loses none."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from roofops.config import Settings
from roofops.integrations.jobnimbus.sync import OVERLAP, STREAMS
from roofops.kit.time import as_utc
from roofops.models import CrmStatusChange, SyncCursor, SyncRunStatus
from roofops.sandbox.jobnimbus.demo_data import demo_store
from roofops.sandbox.jobnimbus.fake import EditsWhilePaging, FakeJobNimbusStore
from tests.integrations.jobnimbus.conftest import API_KEY, FakeJobNimbus
from tests.integrations.jobnimbus.syncing import (
    Syncer,
    errors_of,
    expected_history,
    expected_stages,
    local_job,
    small_store,
    stage_history,
    synced_stages,
)

EDITED = 50


def read_whole_list(http: httpx.Client, resource: str, sort_field: str) -> set[str]:
    """Offset paging as the docs describe it: ``from += size`` until ``from >= count``."""
    seen: set[str] = set()
    offset, total = 0, 1
    while offset < total:
        params = {"size": 1000, "from": offset, "sort_field": sort_field, "sort_direction": "asc"}
        page = http.get(resource, params=params, headers={"Authorization": f"Bearer {API_KEY}"})
        total = page.json()["count"]
        seen.update(record["jnid"] for record in page.json()["results"])
        offset += 1000
    return seen


@pytest.fixture
def account(fake: FakeJobNimbus) -> FakeJobNimbusStore:
    return fake.use(demo_store(5000))


def test_paging_by_date_updated_skips_records_when_others_are_edited_between_pages(
    fake: FakeJobNimbus, account: FakeJobNimbusStore, raw_http: httpx.Client
) -> None:
    fake.faults.edits = EditsWhilePaging("jobs", count=EDITED, at_offset=1000)

    seen = read_whole_list(raw_http, "jobs", "date_updated")

    assert len(fake.faults.edits.edited) == EDITED
    skipped = {job["jnid"] for job in account.records("jobs")} - seen
    assert skipped, "every edit moves a job to the end and slides an unseen one past the offset"
    assert not skipped & set(fake.faults.edits.edited)  # the edited ones come round at the end


def test_paging_in_creation_order_sees_every_record_whatever_is_edited(
    fake: FakeJobNimbus, account: FakeJobNimbusStore, raw_http: httpx.Client
) -> None:
    fake.faults.edits = EditsWhilePaging("jobs", count=EDITED, at_offset=1000)

    seen = read_whole_list(raw_http, "jobs", "date_created")

    assert len(fake.faults.edits.edited) == EDITED
    assert seen == {job["jnid"] for job in account.records("jobs")}


@pytest.mark.slow
def test_a_full_sync_of_5000_jobs_while_50_are_edited_between_pages_loses_nothing(
    fake: FakeJobNimbus,
    account: FakeJobNimbusStore,
    syncer: Syncer,
    settings: Settings,
    *,
    db: Session,
) -> None:
    syncer.connect()
    before_the_run = newest_changes(account)
    fake.faults.edits = EditsWhilePaging("jobs", count=EDITED, at_offset=2000)
    fake.requests.clear()

    full = syncer.sync()

    edited = fake.faults.edits.edited
    assert len(edited) == EDITED
    assert full.status == SyncRunStatus.SUCCEEDED, errors_of(db, full)
    # Every job, at the stage of its status now (edited ones included), with every status change.
    assert synced_stages(db) == expected_stages(account)
    assert len(synced_stages(db)) == 5000
    assert stage_history(db) == expected_history(account)
    assert logged_activities(db) == status_change_ids(account)
    # Account settings, one probe per stream, then one request per page of 1,000: no re-read.
    pages = sum(-(-account.count(name) // 1000) for name in STREAMS)
    assert full.requests == fake.requests.count == 1 + len(STREAMS) + pages
    # Each cursor is the newest change as its read began: the jobs edited while they were
    # read are newer (their status changes were logged before the activities were read).
    marks = cursors(db)
    assert (marks["contacts"], marks["jobs"]) == (
        before_the_run["contacts"],
        before_the_run["jobs"],
    )
    assert marks["activities"] == newest_changes(account)["activities"]

    fake.requests.clear()
    incremental = syncer.sync()

    assert incremental.status == SyncRunStatus.SUCCEEDED
    assert incremental.requests == fake.requests.count == 1 + len(STREAMS)
    # The edited jobs and their status changes, plus what the overlap window reads again.
    assert incremental.fetched == records_since(account, marks) >= 2 * EDITED
    for jnid in edited:
        record = account.get("jobs", jnid)
        assert local_job(db, record["number"]).name == record["name"]


def newest_changes(store: FakeJobNimbusStore) -> dict[str, datetime]:
    return {
        stream: datetime.fromtimestamp(max(r["date_updated"] for r in store.records(stream)), UTC)
        for stream in STREAMS
    }


def cursors(db: Session) -> dict[str, datetime]:
    return {row.stream: as_utc(row.position) for row in db.scalars(sa.select(SyncCursor))}


def logged_activities(db: Session) -> set[str | None]:
    return set(db.scalars(sa.select(CrmStatusChange.activity_external_id)))


def status_change_ids(store: FakeJobNimbusStore) -> set[str | None]:
    return {a["jnid"] for a in store.records("activities") if a.get("is_status_change")}


def records_since(store: FakeJobNimbusStore, marks: dict[str, datetime]) -> int:
    """What the next run reads: records changed since each cursor, less the overlap window."""
    total = 0
    for stream in STREAMS:
        start = (marks[stream] - OVERLAP).timestamp()
        total += sum(record["date_updated"] >= start for record in store.records(stream))
    return total


def test_a_list_that_lost_a_record_is_read_again(
    fake: FakeJobNimbus,
    syncer: Syncer,
    db: Session,
) -> None:
    store = small_store(fake)
    syncer.connect()
    lost = store.records("jobs")[40]
    # Left out of the probe (which then is not the whole list) and of the first read.
    fake.faults.hide_from_lists("jobs", lost["jnid"], times=2)
    fake.requests.clear()

    run = syncer.sync()

    assert run.status == SyncRunStatus.SUCCEEDED, errors_of(db, run)
    assert local_job(db, lost["number"]).name == lost["name"]
    # The jobs list read (its page held one record short of its size, so one more request
    # from where it ended), then read once more.
    assert run.requests == 1 + len(STREAMS) + 2 + 1


def test_a_list_still_short_after_a_second_read_makes_the_run_partial(
    fake: FakeJobNimbus,
    syncer: Syncer,
    db: Session,
) -> None:
    store = small_store(fake)
    syncer.connect()
    lost = store.records("jobs")[40]
    fake.faults.hide_from_lists("jobs", lost["jnid"], times=3)  # probe, read, second read

    run = syncer.sync()

    assert run.status == SyncRunStatus.PARTIAL
    jobs = store.count("jobs")
    assert [(error.record_type, error.message) for error in errors_of(db, run)] == [
        (
            "job_list",
            f"JobNimbus listed {jobs} jobs but {jobs - 1} arrived, after reading the list "
            "twice; the next sync reads it again",
        )
    ]
    assert "jobs" not in cursors(db)  # so the next sync reads the whole list again
    # Its status changes asked for it by id: it is in, with its history.
    assert local_job(db, lost["number"]).stage.value == expected_stages(store)[lost["number"]]

    again = syncer.sync()

    assert again.status == SyncRunStatus.SUCCEEDED, errors_of(db, again)
    assert local_job(db, lost["number"]).name == lost["name"]
