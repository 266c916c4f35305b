"""The demo's sandbox JobNimbus: the fake CRM, serving the demo company, mounted in the app.

``roofops demo`` links the demo company to the sandbox as if it had been imported from it
(external refs, the status-change log, the workflows and branch map, cursors), so "Sync now" in
the demo is an ordinary incremental sync over real HTTP. To the JobNimbus integration the sandbox
is only the base URL of the demo's connection. The fake is built from the same deterministic
generator, plus a few status changes made "since the import" so that the first sync has
something to bring in.

Deliberately public, like any vendor API: it answers only to the sandbox key, which lives
encrypted in the demo's connection.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from starlette.types import ASGIApp

from roofops.config import Settings
from roofops.demo.records import DemoData
from roofops.integrations.core.credentials import read_credentials, secret_box, write_credentials
from roofops.integrations.core.repository import ConnectionRepository, SyncCursorRepository
from roofops.integrations.jobnimbus.branches import BranchChooser
from roofops.integrations.jobnimbus.mapping import fingerprint
from roofops.integrations.jobnimbus.repository import WorkflowRepository
from roofops.integrations.jobnimbus.schemas import AccountSettings, Activity, Contact, Job
from roofops.integrations.jobnimbus.status_map import CLOSED_STATUSES
from roofops.integrations.jobnimbus.sync import workflow_statuses
from roofops.kit.crypto import random_token
from roofops.kit.time import utcnow
from roofops.models.crm import CrmStatusChange
from roofops.models.enums import ConnectionStatus, Provider
from roofops.models.integration import ExternalRef, IntegrationConnection
from roofops.sandbox.demo_company import DemoCompany
from roofops.sandbox.jobnimbus.demo_data import store_from_demo
from roofops.sandbox.jobnimbus.fake import FakeJobNimbusStore, create_fake_app

SANDBOX_PATH = "/sandbox/jobnimbus"
SOURCE = Provider.JOBNIMBUS
ORIGIN_DEMO = "demo"
# Open jobs the sandbox moves on "since the import", each to the next status of its workflow.
RECENT_CHANGES = 8
DEAD_ENDS = frozenset({"Lost", "Cancelled"})


def sandbox_url(settings: Settings) -> str:
    return f"{settings.base_url.rstrip('/')}{SANDBOX_PATH}/api1/"


def point_at_sandbox(connection: IntegrationConnection, settings: Settings) -> None:
    connection.options = {**(connection.options or {}), "base_url": sandbox_url(settings)}


# ----- at demo build time -------------------------------------------------------------------
def link_demo_company(db: Session, settings: Settings, data: DemoData) -> None:
    """What a first sync from the sandbox leaves: external refs, the status-change log, the
    workflows and branch map, cursors, and a connection."""
    store = store_from_demo(data)
    account = AccountSettings.model_validate(store.account_settings())
    db.execute(sa.insert(ExternalRef), list(_job_refs(store, data)))
    db.execute(sa.insert(CrmStatusChange), list(_status_log(store, account.status_names())))
    WorkflowRepository(db).replace(workflow_statuses(account))
    BranchChooser.load(db, [Job.model_validate(record) for record in store.records("jobs")])
    _set_cursors(db, store)
    connection = IntegrationConnection(provider=SOURCE, status=ConnectionStatus.CONNECTED)
    write_credentials(secret_box(settings), connection, {"api_key": random_token(18)}, ORIGIN_DEMO)
    point_at_sandbox(connection, settings)
    connection.last_success_at = utcnow()
    db.add(connection)
    db.flush()


def _ref(local_type: str, external_id: str, local_id: uuid.UUID, digest: str) -> dict[str, Any]:
    now = utcnow()
    return {
        "id": uuid.uuid4(),
        "source": SOURCE,
        "local_type": local_type,
        "external_id": external_id,
        "local_id": local_id,
        "fingerprint": digest,
        "is_deleted": False,
        "created_at": now,
        "updated_at": now,
    }


def _job_refs(store: FakeJobNimbusStore, data: DemoData) -> Iterator[dict[str, Any]]:
    jobs = {job.number: job for job in data.jobs}
    contacts = {record["jnid"]: record for record in store.records("contacts")}
    linked: set[str] = set()
    for record in store.records("jobs"):
        local = jobs[record["number"]]
        yield _ref("job", record["jnid"], local.id, fingerprint(Job.model_validate(record)))
        contact_id = record["primary"]["id"]
        if contact_id not in linked:
            linked.add(contact_id)
            contact = Contact.model_validate(contacts[contact_id])
            yield _ref("customer", contact_id, local.customer_id, fingerprint(contact))


def _status_log(
    store: FakeJobNimbusStore, status_names: Mapping[int, str]
) -> Iterator[dict[str, Any]]:
    for record in store.records("activities"):
        activity = Activity.model_validate(record)
        change = activity.status_change(status_names)
        if change is not None:
            yield {
                "id": uuid.uuid4(),
                "job_external_id": change.job_jnid,
                "activity_external_id": activity.jnid,
                "from_status": change.from_status,
                "to_status": change.to_status,
                "occurred_at": change.occurred_at,
                "actor": activity.created_by_name or "",
            }


def _set_cursors(db: Session, store: FakeJobNimbusStore) -> None:
    cursors, now = SyncCursorRepository(db), utcnow()
    for stream in ("contacts", "jobs", "activities"):
        stamps = [record["date_updated"] for record in store.records(stream)]
        if stamps:
            cursors.move(SOURCE, stream, datetime.fromtimestamp(max(stamps), UTC), now)


# ----- at serve time ------------------------------------------------------------------------
def prepare_app(
    db: Session, settings: Settings, company: DemoCompany
) -> Callable[[], ASGIApp] | None:
    """Reads what the sandbox needs now; the returned builder makes the CRM (a second or two).

    The demo may be served on another address than it was built for: the connection follows.
    """
    connection = ConnectionRepository(db).by_provider(SOURCE)
    if connection is None or connection.credentials_origin != ORIGIN_DEMO:
        return None
    key = read_credentials(secret_box(settings), connection)["api_key"]
    point_at_sandbox(connection, settings)
    return lambda: create_fake_app(sandbox_store(company.data()), api_key=key)


def sandbox_store(data: DemoData) -> FakeJobNimbusStore:
    store = store_from_demo(data)
    _recent_changes(store)
    return store


def _recent_changes(store: FakeJobNimbusStore) -> None:
    """A few open jobs moved on this morning by the office (deterministic choice)."""
    workflows = {workflow.name: workflow for workflow in store.workflows}
    open_jobs = [job for job in store.records("jobs") if job["status_name"] not in CLOSED_STATUSES]
    step = max(1, len(open_jobs) // RECENT_CHANGES)
    for minutes_ago, job in enumerate(open_jobs[::step][:RECENT_CHANGES]):
        statuses = workflows[job["record_type_name"]].statuses
        following = statuses[statuses.index(job["status_name"]) + 1]
        if following not in DEAD_ENDS:
            at = utcnow() - timedelta(minutes=5 * (minutes_ago + 1))
            store.change_status(job["jnid"], following, at, actor="Front office")
