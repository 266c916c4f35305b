"""The fake's dataset from the demo company: deterministic and faithful to the demo."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from roofops.demo.generator import generate
from roofops.demo.records import DemoData
from roofops.integrations.jobnimbus.schemas import Activity, Job
from roofops.integrations.jobnimbus.status_map import (
    DEFAULT_STATUS_MAP,
    STOCK_WORKFLOWS,
)
from roofops.models.enums import JobStage
from roofops.sandbox.jobnimbus.demo_data import store_from_demo
from roofops.sandbox.jobnimbus.fake import epoch
from tests.integrations.jobnimbus.conftest import DEMO_JOBS, FakeJobNimbus
from tests.integrations.jobnimbus.syncing import stage_for


@pytest.fixture(scope="module")
def demo() -> DemoData:
    return generate(0.05, 11, date(2025, 3, 1))


def test_the_same_demo_gives_the_same_store(demo: DemoData) -> None:
    first, second = store_from_demo(demo), store_from_demo(demo)
    for resource in ("contacts", "jobs", "tasks", "activities"):
        assert first.records(resource) == second.records(resource)


def test_jobs_carry_number_status_and_place(demo: DemoData) -> None:
    store = store_from_demo(demo)
    jobs = {job["number"]: Job.model_validate(job) for job in store.records("jobs")}
    properties = {prop.id: prop for prop in demo.properties}
    for row in demo.jobs:
        job = jobs[row.number]
        assert stage_for(job.status_name or "") == row.stage
        assert job.sales_rep_name == row.sales_rep
        assert job.geo is not None
        assert job.geo.lat == properties[row.property_id].latitude
        assert job.date_status_change == row.stage_changed_at


def test_stage_events_become_status_change_activities(demo: DemoData) -> None:
    store = store_from_demo(demo)
    activities = [Activity.model_validate(a) for a in store.records("activities")]
    changes = [a.status_change() for a in activities]

    assert len(changes) == len(demo.stage_events)
    assert all(change is not None for change in changes)
    moments = sorted(epoch(event.occurred_at) for event in demo.stage_events)
    assert sorted(epoch(c.occurred_at) for c in changes if c) == moments


def test_every_stock_workflow_covers_every_stage() -> None:
    for workflow in STOCK_WORKFLOWS:
        stages = {DEFAULT_STATUS_MAP[name] for name in workflow.statuses}
        assert stages == set(JobStage), workflow.name


def test_status_names_match_however_they_are_typed() -> None:
    assert stage_for("  paid &  closed ") == JobStage.PAID
    assert stage_for("Roof Installed") is None


def test_demo_jobs_use_all_four_workflows(running_fake: FakeJobNimbus) -> None:
    counts = Counter(job["record_type_name"] for job in running_fake.demo.records("jobs"))
    assert len(running_fake.demo.records("jobs")) == DEMO_JOBS
    assert set(counts) == {w.name for w in STOCK_WORKFLOWS}
