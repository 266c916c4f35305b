"""The fake's dataset built from the demo company, so the sandbox CRM and the demo database agree.

Customers become contacts, jobs keep their ``number`` and have their branch as their JobNimbus
``location`` (``{id, parent_id, name}``), each stage event becomes a status-change
activity dated when it happened (``date_created`` = ``occurred_at``) and entered
(``date_updated`` = ``recorded_at``). Job type, material, size and claim figures travel as the
account's custom fields (see ``fake.CUSTOM_FIELDS``), money as dollars in doubles.
Deterministic: the same demo data gives the same jnids and records.
"""

from __future__ import annotations

import functools
import uuid
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from roofops.demo import catalog
from roofops.demo.generator import generate
from roofops.demo.jobs import TYPE_LABELS
from roofops.demo.records import CustomerRow, DemoData, JobRow, PropertyRow, StageEventRow
from roofops.integrations.jobnimbus.status_map import (
    DEFAULT_STATUS_MAP,
    STOCK_WORKFLOWS,
    StockWorkflow,
)
from roofops.kit.time import utcnow
from roofops.models.enums import JobStage, JobType, Material, PayerKind
from roofops.sandbox.jobnimbus.fake import (
    CONTACT_WORKFLOW,
    FIRST_JNID,
    LEAD_SOURCES,
    FakeJobNimbusStore,
    Record,
    epoch,
    status_change_activity,
    status_ids,
)

MATERIAL_LABELS = {
    Material.ASPHALT_SHINGLE: "Asphalt shingle",
    Material.METAL: "Metal",
    Material.TILE: "Tile",
    Material.LOW_SLOPE_TPO: "Low-slope / TPO",
    Material.GUTTERS: "Gutters",
    Material.OTHER: "Other",
}
DEMO_SEED = 7
DEMO_AS_OF = date(2025, 6, 1)
WORKFLOWS = {workflow.name: workflow for workflow in STOCK_WORKFLOWS}


def demo_store(
    jobs: int = 5000,
    *,
    seed: int = DEMO_SEED,
    as_of: date = DEMO_AS_OF,
    clock: Callable[[], datetime] = utcnow,
) -> FakeJobNimbusStore:
    """A store of exactly ``jobs`` demo jobs (5,000 build in about a second)."""
    return store_from_demo(generate(jobs / catalog.JOBS_PER_SIZE, seed, as_of), clock=clock)


def store_from_demo(
    data: DemoData,
    *,
    clock: Callable[[], datetime] = utcnow,
    first_jnid: int = FIRST_JNID,
) -> FakeJobNimbusStore:
    """``clock`` only dates later changes; every loaded record carries its demo timestamps."""
    store = FakeJobNimbusStore(clock=clock, first_jnid=first_jnid)
    _Loader(store, data).load()
    return store


def workflow_for(job: JobRow, customer: CustomerRow) -> StockWorkflow:
    if job.payer == PayerKind.INSURANCE:
        return WORKFLOWS["Insurance"]
    if customer.is_commercial or job.job_type == JobType.NEW_CONSTRUCTION:
        return WORKFLOWS["Commercial"]
    if job.job_type in (JobType.REPAIR, JobType.INSPECTION):
        return WORKFLOWS["Repair"]
    return WORKFLOWS["Residential"]


@functools.cache
def status_for(workflow: StockWorkflow, stage: JobStage) -> str:
    """The first status of the workflow the default map reads as ``stage``."""
    for name in workflow.statuses:
        if DEFAULT_STATUS_MAP.get(name) == stage:
            return name
    raise ValueError(f"workflow {workflow.name!r} has no status for stage {stage}")


class _Loader:
    def __init__(self, store: FakeJobNimbusStore, data: DemoData) -> None:
        self.store = store
        self.data = data
        self.customers = {customer.id: customer for customer in data.customers}
        self.properties = {prop.id: prop for prop in data.properties}
        self.contact_ids: dict[uuid.UUID, str] = {}
        self.rep_ids: dict[str, str] = {}
        self.locations = {
            branch.id: {"id": number, "parent_id": None, "name": branch.name}
            for number, branch in enumerate(data.branches, start=1)
        }

    def load(self) -> None:
        homes: dict[uuid.UUID, PropertyRow] = {}
        for prop in self.data.properties:
            homes.setdefault(prop.customer_id, prop)
        for customer in self.data.customers:
            contact = self.store.add("contacts", _contact(customer, homes.get(customer.id)))
            self.contact_ids[customer.id] = contact["jnid"]
        events: dict[uuid.UUID, list[StageEventRow]] = defaultdict(list)
        for event in self.data.stage_events:
            events[event.job_id].append(event)
        for job in self.data.jobs:
            self._load_job(job, sorted(events[job.id], key=lambda e: e.occurred_at))

    def _load_job(self, job: JobRow, events: list[StageEventRow]) -> None:
        customer = self.customers[job.customer_id]
        workflow = workflow_for(job, customer)
        status = status_for(workflow, job.stage)
        record = {
            "number": job.number,
            "name": job.name,
            "description": job.description,
            "record_type": workflow.id,
            "record_type_name": workflow.name,
            "status": status_ids(workflow)[status],
            "status_name": status,
            "date_status_change": epoch(job.stage_changed_at),
            "source_name": _source(job),
            "location": dict(self.locations[job.branch_id]),
            **self._people(job, customer),
            **_address(self.properties[job.property_id]),
            **_custom_fields(job),
            # JobNimbus' total of the job's approved estimates: the signed price.
            "approved_estimate_total": _dollars(job.contract_cents) or 0,
            "date_created": epoch(job.created_at),
            "date_updated": epoch(max([job.updated_at, *(e.recorded_at for e in events)])),
        }
        stored = self.store.add("jobs", record)
        for event in events:
            self.store.add("activities", self._activity(stored, workflow, event))
        for task in _tasks(stored, events):
            self.store.add("tasks", task)

    def _people(self, job: JobRow, customer: CustomerRow) -> Record:
        rep = self._rep_id(job.sales_rep)
        contact = {
            "id": self.contact_ids[customer.id],
            "type": "contact",
            "name": customer.display_name,
        }
        return {
            "sales_rep": rep,
            "sales_rep_name": job.sales_rep,
            "owners": [{"id": rep}],
            "primary": contact,
            "related": [dict(contact)],
        }

    def _rep_id(self, name: str) -> str:
        if name not in self.rep_ids:
            self.rep_ids[name] = self.store.new_jnid()
        return self.rep_ids[name]

    def _activity(self, job: Record, workflow: StockWorkflow, event: StageEventRow) -> Record:
        to_status = status_for(workflow, event.to_stage)
        from_stage = event.from_stage
        return status_change_activity(
            self.store.new_jnid(),
            job,
            from_status=status_for(workflow, from_stage) if from_stage else None,
            to_status=to_status,
            status_id=status_ids(workflow)[to_status],
            at=epoch(event.occurred_at),
            updated=epoch(event.recorded_at),
            actor=event.actor_label,
        )


def _contact(customer: CustomerRow, home: PropertyRow | None) -> Record:
    return {
        "record_type": CONTACT_WORKFLOW.id,
        "record_type_name": CONTACT_WORKFLOW.name,
        "status": status_ids(CONTACT_WORKFLOW)["Active"],
        "status_name": "Active",
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "display_name": customer.display_name,
        "company": customer.company_name,
        "email": customer.email,
        "mobile_phone": customer.phone,
        **(_address(home) if home else {}),
        "date_created": epoch(customer.created_at),
        "date_updated": epoch(customer.updated_at),
    }


def _address(prop: PropertyRow) -> Record:
    return {
        "address_line1": prop.address_line1,
        "city": prop.city,
        "state_text": prop.state,
        "zip": prop.postal_code,
        "country_name": "United States",
        "geo": {"lat": prop.latitude, "lon": prop.longitude},
    }


def _source(job: JobRow) -> str:
    if "Hail on" in job.description:  # storm leads come from canvassing the hail path
        return "Door Knocking"
    return LEAD_SOURCES[int(job.number) % len(LEAD_SOURCES)]


def _custom_fields(job: JobRow) -> Record:
    values: dict[str, Any] = {
        "Job Type": TYPE_LABELS[job.job_type],
        "Roof Material": MATERIAL_LABELS[job.material],
        "Squares": float(job.squares) if job.squares is not None else None,
        "Pitch": job.pitch,
        "Priority": job.priority.value.title(),
        "Insurance Company": job.insurance_carrier or None,
        "Claim Number": job.claim_number or None,
        "RCV": _dollars(job.rcv_cents),
        "ACV": _dollars(job.acv_cents),
        "Deductible": _dollars(job.deductible_cents),
        "Depreciation Held": _dollars(job.depreciation_held_cents),
    }
    # JobNimbus leaves an unset custom field out of the record.
    return {key: value for key, value in values.items() if value is not None}


def _dollars(cents: int | None) -> float | None:
    # JobNimbus currency fields are doubles in dollars; the sync turns them back into cents.
    return None if cents is None else cents / 100


def _tasks(job: Record, events: list[StageEventRow]) -> list[Record]:
    """An inspection task when the job reached inspection, an install task for production."""
    reached = {event.to_stage: event for event in events}
    tasks = []
    if inspection := reached.get(JobStage.INSPECTION):
        later = [e for e in events if e.occurred_at > inspection.occurred_at]
        done = later[0] if later else None
        tasks.append(_task(job, "Inspection", inspection, done))
    if production := reached.get(JobStage.IN_PRODUCTION):
        tasks.append(_task(job, "Install", production, reached.get(JobStage.COMPLETED)))
    return tasks


def _task(job: Record, kind: str, start: StageEventRow, done: StageEventRow | None) -> Record:
    return {
        "title": f"{kind} - {job['name']}",
        "record_type_name": kind,
        "primary": {"id": job["jnid"], "type": "job", "name": job["name"]},
        "related": [{"id": job["jnid"], "type": "job"}],
        "owners": job["owners"],
        "date_start": epoch(start.occurred_at),
        "date_end": epoch(done.occurred_at) if done else 0,
        "is_completed": done is not None,
        "date_created": epoch(start.recorded_at),
        "date_updated": epoch(done.recorded_at if done else start.recorded_at),
    }
