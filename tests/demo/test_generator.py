"""The pure generator: deterministic, legal histories, realistic shape (no database)."""

from __future__ import annotations

import itertools
import uuid
from collections import Counter, defaultdict
from datetime import date, datetime

import pytest

from roofops.demo import catalog
from roofops.demo.clock import midnight_utc
from roofops.demo.generator import generate
from roofops.demo.records import DemoData, StageEventRow
from roofops.job.lifecycle import CLOSED, refusal
from roofops.models.enums import JobStage, JobType, Material, PayerKind

AS_OF = date(2026, 6, 30)


@pytest.fixture(scope="module")
def small() -> DemoData:
    return generate(0.1, 7, AS_OF)


@pytest.fixture(scope="module")
def full() -> DemoData:
    return generate(1.0, 42, AS_OF)


def _histories(data: DemoData) -> dict[uuid.UUID, list[StageEventRow]]:
    events: dict[uuid.UUID, list[StageEventRow]] = defaultdict(list)
    for event in data.stage_events:
        events[event.job_id].append(event)
    return events


def test_same_inputs_give_identical_data(small: DemoData) -> None:
    again = generate(0.1, 7, AS_OF)

    assert again.digest() == small.digest()
    assert again.jobs == small.jobs
    assert [event.id for event in again.stage_events] == [e.id for e in small.stage_events]


def test_seed_and_as_of_change_the_data(small: DemoData) -> None:
    assert generate(0.1, 8, AS_OF).digest() != small.digest()
    assert generate(0.1, 7, date(2026, 7, 1)).digest() != small.digest()


def test_counts_scale_with_size(small: DemoData, full: DemoData) -> None:
    assert len(small.jobs) == 300
    assert len(full.jobs) == 3000
    assert 0.8 * 10 * len(small.customers) < len(full.customers) < 1.2 * 10 * len(small.customers)
    assert len(full.customers) < len(full.jobs)  # repeat business
    assert (len(small.crews), len(full.crews)) == (catalog.MIN_CREWS, 12)
    assert len(full.branches) == 3
    assert {skill.code for skill in full.skills} == {code for code, _ in catalog.SKILLS}


def test_job_numbers_run_from_1001_in_lead_order(full: DemoData) -> None:
    assert [job.number for job in full.jobs] == [str(1001 + i) for i in range(len(full.jobs))]
    created = [job.created_at for job in full.jobs]
    assert created == sorted(created)


def test_every_history_is_legal_and_chronological(full: DemoData) -> None:
    histories = _histories(full)
    for job in full.jobs:
        events = histories[job.id]
        assert events[0].from_stage is None
        assert events[0].to_stage == JobStage.LEAD
        for before, after in itertools.pairwise(events):
            assert after.from_stage == before.to_stage
            assert refusal(before.to_stage, after.to_stage, reason=after.reason) is None
            assert after.occurred_at > before.occurred_at
        assert job.stage == events[-1].to_stage
        assert job.stage_changed_at == events[-1].occurred_at


def test_histories_stop_at_the_as_of_moment_and_leave_a_live_pipeline(full: DemoData) -> None:
    assert max(event.occurred_at for event in full.stage_events) <= midnight_utc(AS_OF)
    stages = Counter(job.stage for job in full.jobs)
    for stage in (JobStage.LEAD, JobStage.ESTIMATE, JobStage.SCHEDULED, JobStage.IN_PRODUCTION):
        assert stages[stage] > 0, stage
    lost = stages[JobStage.LOST] / len(full.jobs)
    assert 0.18 < lost < 0.32
    assert 0 < stages[JobStage.CANCELLED] < 0.05 * len(full.jobs)
    assert sum(stages[stage] for stage in CLOSED) > 0.8 * len(full.jobs)


def test_summer_brings_far_more_reroof_leads_than_winter(full: DemoData) -> None:
    months = Counter(job.created_at.month for job in full.jobs if job.job_type == JobType.REROOF)
    summer = months[6] + months[7] + months[8]
    winter = months[12] + months[1] + months[2]

    assert summer > 2.5 * winter
    assert full.hail_events
    assert all(5 <= event.day.month <= 9 for event in full.hail_events)


def test_insurance_figures_follow_the_claim_arithmetic(full: DemoData) -> None:
    insured = [job for job in full.jobs if job.payer == PayerKind.INSURANCE]
    approved = [job for job in insured if job.rcv_cents is not None]
    assert 0.15 < len(insured) / len(full.jobs) < 0.45
    assert len(approved) > 100
    for job in approved:
        assert job.acv_cents is not None
        assert job.depreciation_held_cents is not None
        assert job.deductible_cents is not None
        assert job.rcv_cents is not None
        assert job.acv_cents == job.rcv_cents - job.depreciation_held_cents
        assert job.acv_cents - job.deductible_cents > 0  # the first cheque
        assert job.claim_number
        assert job.insurance_carrier in {name for name, _, _ in catalog.CARRIERS}
    retail = [job for job in full.jobs if job.payer == PayerKind.RETAIL]
    assert all(job.rcv_cents is None and not job.claim_number for job in retail)


def test_properties_lie_in_denver_metro_cities(full: DemoData) -> None:
    south, north, west, east = catalog.METRO_BOUNDS
    cities = {city.name: city for city in catalog.CITIES}
    for prop in full.properties:
        assert south <= prop.latitude <= north
        assert west <= prop.longitude <= east
        assert prop.postal_code in cities[prop.city].zip_codes
        assert prop.state == "CO"
    assert len({prop.city for prop in full.properties}) >= 15


def test_roofs_have_plausible_size_and_pitch(full: DemoData) -> None:
    customers = {customer.id: customer for customer in full.customers}
    reroofs = [job for job in full.jobs if job.job_type == JobType.REROOF]
    for job in reroofs:
        assert job.squares is not None
        assert job.pitch is not None
        if not customers[job.customer_id].is_commercial:
            assert 15 <= job.squares <= 45
        if job.material != Material.LOW_SLOPE_TPO:
            assert 4 <= job.pitch <= 12
    materials = Counter(job.material for job in reroofs)
    assert materials.most_common(1)[0][0] == Material.ASPHALT_SHINGLE
    inspections = [job for job in full.jobs if job.job_type == JobType.INSPECTION]
    assert inspections
    assert all(job.squares is None and job.crew_id is None for job in inspections)


def test_crews_hold_only_jobs_their_skills_fit(full: DemoData) -> None:
    codes = {skill.id: skill.code for skill in full.skills}
    skills: dict[uuid.UUID, set[str]] = defaultdict(set)
    for link in full.crew_skills:
        skills[link.crew_id].add(codes[link.skill_id])
    needed = {JobType.REPAIR: "repairs", JobType.GUTTERS: "gutters"}
    staffed = [job for job in full.jobs if job.crew_id is not None]
    assert len(staffed) > len(full.jobs) / 2
    for job in staffed:
        assert job.crew_id is not None
        assert needed.get(job.job_type, job.material.value) in skills[job.crew_id]


def test_a_crew_works_one_job_at_a_time(full: DemoData) -> None:
    histories = _histories(full)
    spans: dict[uuid.UUID, list[tuple[datetime, datetime]]] = defaultdict(list)
    for job in full.jobs:
        moments = {e.to_stage: e.occurred_at for e in histories[job.id]}
        if job.crew_id and JobStage.COMPLETED in moments:
            spans[job.crew_id].append(
                (moments[JobStage.IN_PRODUCTION], moments[JobStage.COMPLETED])
            )
    for crew_spans in spans.values():
        ordered = sorted(crew_spans)
        for (_, end), (start, _) in itertools.pairwise(ordered):
            assert start > end


def test_rejects_sizes_out_of_range() -> None:
    with pytest.raises(ValueError, match="size"):
        generate(0, 1, AS_OF)
