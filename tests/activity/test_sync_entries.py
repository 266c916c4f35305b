"""A JobNimbus sync over real HTTP to the sandbox writes one feed entry per changed job: which
fields changed (old -> new), money named but never given."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from roofops.activity.changes import books_changes, field_changes, sentence
from roofops.activity.service import activity_service
from roofops.models import ActivityKind, ActorType, JobActivity
from roofops.sandbox.quickbooks.books import FakeCompany
from roofops.sandbox.quickbooks.changes import change_jobs
from tests.factories import make_job
from tests.integrations.jobnimbus.conftest import FakeJobNimbus
from tests.integrations.jobnimbus.syncing import Syncer, local_job, small_store
from tests.integrations.quickbooks.conftest import Harness
from tests.integrations.quickbooks.ledgers import figures, sync
from tests.statements import counted_statements, verbs_on

JOBNIMBUS = "JobNimbus"


def sync_entries(db: Session) -> list[JobActivity]:
    db.expire_all()
    return list(db.scalars(sa.select(JobActivity).where(JobActivity.kind == ActivityKind.SYNC)))


def test_a_sync_that_changes_a_job_says_what_changed_once(
    fake: FakeJobNimbus, syncer: Syncer, db: Session
) -> None:
    store = small_store(fake)
    syncer.connect()
    record = next(job for job in store.records("jobs") if job.get("approved_estimate_total"))
    syncer.sync()
    assert sync_entries(db) == []  # new jobs: their creation is the first stage event

    store.update(
        "jobs",
        record["jnid"],
        {"name": "Renamed in JobNimbus", "approved_estimate_total": 31_400.0},
    )
    run = syncer.sync()

    [entry] = sync_entries(db)
    job = local_job(db, record["number"])
    assert entry.job_id == job.id
    assert entry.actor_type == ActorType.SYNC
    assert entry.actor_label == "JobNimbus sync"
    assert entry.body == (
        f"JobNimbus sync: name {record['name']} → Renamed in JobNimbus and contract amount changed."
    )
    assert "31" not in entry.body
    assert entry.data["run_id"] == str(run.id)
    assert entry.data["fields"][1] == {
        "field": "contract_cents",
        "label": "contract amount",
        "money": True,
    }
    syncer.sync(full=True)
    assert len(sync_entries(db)) == 1  # nothing changed: nothing to say


def test_a_later_page_of_the_same_run_adds_to_the_runs_entry(db: Session) -> None:
    job = make_job(db)
    run_id = job.id  # any id names the run
    name = {"name": {"old": "A", "new": "B"}}
    activity_service.record_syncs(
        db, {job.id: field_changes(name)}, source=JOBNIMBUS, run_id=run_id
    )
    more = {"name": {"old": "B", "new": "C"}, "squares": {"old": "20.00", "new": "24.00"}}
    activity_service.record_syncs(
        db, {job.id: field_changes(more)}, source=JOBNIMBUS, run_id=run_id
    )

    [entry] = sync_entries(db)
    assert entry.body == "JobNimbus sync: name A → C and squares 20.00 → 24.00."


def test_a_page_of_many_jobs_reads_the_feed_once_and_inserts_once(
    db: Session, connection: sa.Connection
) -> None:
    jobs = [make_job(db) for _ in range(4)]
    run_id = jobs[0].id
    renamed = field_changes({"name": {"old": "A", "new": "B"}})
    activity_service.record_syncs(db, {jobs[0].id: renamed}, source=JOBNIMBUS, run_id=run_id)
    squares = field_changes({"squares": {"old": "20.00", "new": "24.00"}})

    with counted_statements(connection) as sent:
        entries = activity_service.record_syncs(
            db, {job.id: squares for job in jobs}, source=JOBNIMBUS, run_id=run_id
        )

    seen = sorted(verbs_on(sent, "job_activities"))
    assert seen == ["INSERT", "SELECT", "UPDATE"]  # the first job's entry grows
    assert [entry.job_id for entry in entries] == [job.id for job in jobs]
    assert entries[0].body == "JobNimbus sync: name A → B and squares 20.00 → 24.00."
    assert len(sync_entries(db)) == 4


def test_books_figures_are_named_without_amounts() -> None:
    changes = books_changes(["materials", "invoiced"])
    assert sentence("QuickBooks", changes) == (
        "QuickBooks sync: materials cost changed and amount invoiced changed."
    )
    assert field_changes({"contract_source": {"old": None, "new": "jobnimbus"}}) == []


def test_a_books_sync_names_the_figures_that_moved_once_per_job(
    qbo: Harness, books: FakeCompany, session_maker: sessionmaker[Session], db: Session
) -> None:
    sync(session_maker, qbo.client, full=True)
    before = {entry.id for entry in sync_entries(db)}
    qbo.clock.advance(60)
    changed = change_jobs(books, 3, seed=3)

    sync(session_maker, qbo.client)

    new = [entry for entry in sync_entries(db) if entry.id not in before]
    job_ids = {figures(db, number).job_id for number in changed}
    # One entry per job whose figures moved (a change may leave them as they were), no other.
    assert new
    assert len({entry.job_id for entry in new}) == len(new)
    assert {entry.job_id for entry in new} <= job_ids
    for entry in new:
        assert entry.actor_label == "QuickBooks sync"
        assert entry.body.startswith("QuickBooks sync: ")
        assert entry.body.endswith(" changed.")
        assert not any(char.isdigit() or char == "$" for char in entry.body)
        assert all(item["money"] for item in entry.data["fields"])
