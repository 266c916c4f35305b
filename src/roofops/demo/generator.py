"""The demo company as plain rows: pure Python, no database, deterministic for (size, seed, as_of).

Each concern draws from its own seeded random stream, so changing how (say) customers are named
does not reshuffle the stage histories.
"""

from __future__ import annotations

import math
import random
import uuid
from collections import Counter
from datetime import date, datetime, timedelta

from roofops.demo import catalog
from roofops.demo.clock import at_local, midnight_utc
from roofops.demo.demand import hail_events, lead_slots
from roofops.demo.dispatching import plan_dispatch
from roofops.demo.history import book_crews, plan_sales
from roofops.demo.jobs import TYPE_LABELS, JobSpec, PlannedEvent, job_specs, signed_price
from roofops.demo.people import Customers, person_name, phone, point_near
from roofops.demo.rand import between, new_uuid
from roofops.demo.records import (
    BranchRow,
    CrewMemberRow,
    CrewRow,
    CrewSkillRow,
    DemoData,
    JobRow,
    PriceRow,
    SkillRow,
    StageEventRow,
)
from roofops.models.enums import ActorType, FigureSource, JobStage

MAX_SIZE = 50.0
CLAIM_FILED = frozenset({JobStage.INSPECTION, JobStage.ESTIMATE, JobStage.CONTRACT_SIGNED})


def generate(size: float, seed: int, as_of: date) -> DemoData:
    """Three years of a Denver-metro roofing contractor ending at ``as_of`` (midnight UTC)."""
    if not 0 < size <= MAX_SIZE:
        raise ValueError(f"size must be above 0 and at most {MAX_SIZE:g}")
    start = _years_before(as_of, catalog.YEARS_OF_HISTORY)
    data = DemoData(size=size, seed=seed, as_of=as_of)
    _company(_stream(seed, "company"), data, opened=at_local(start, 8 * 60))
    data.hail_events = hail_events(_stream(seed, "hail"), start, as_of)
    jobs = max(1, round(catalog.JOBS_PER_SIZE * size))
    slots = lead_slots(_stream(seed, "demand"), jobs, start, as_of, data.hail_events)
    customers = Customers(_stream(seed, "people"))
    specs = job_specs(_stream(seed, "jobs"), slots, customers, data.branches)
    _plan(_stream(seed, "history"), specs, data)
    data.customers, data.properties = customers.customers, customers.properties
    _rows(_stream(seed, "rows"), specs, data, cutoff=midnight_utc(as_of))
    plan_dispatch(_stream(seed, "dispatch"), data, now=midnight_utc(as_of))
    return data


def _stream(seed: int, name: str) -> random.Random:
    # String seeds are hashed with SHA-512, so streams are stable across processes.
    return random.Random(f"roofops-demo:{seed}:{name}")  # noqa: S311 (not for security)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _company(rng: random.Random, data: DemoData, *, opened: datetime) -> None:
    size = data.size
    branch_count = 3 if size <= 1 else min(len(catalog.BRANCH_SITES), 3 + round(math.log2(size)))
    data.branches = [
        BranchRow(new_uuid(rng), s.code, s.name, s.address, s.latitude, s.longitude, opened, opened)
        for s in catalog.BRANCH_SITES[:branch_count]
    ]
    data.skills = [
        SkillRow(new_uuid(rng), code, name, opened, opened) for code, name in catalog.SKILLS
    ]
    _crews(rng, data, opened, max(catalog.MIN_CREWS, round(catalog.CREWS_PER_SIZE * size)))
    data.prices = [
        PriceRow(new_uuid(rng), job_type, material, cents, opened, opened)
        for job_type, material, cents in catalog.PRICE_LIST
    ]


# The demo's crew-lead sign-in leads the first crew (a user leads the crew named for them).
FIRST_CREW_LEAD = "Carlos Crewlead"


def _crews(rng: random.Random, data: DemoData, opened: datetime, count: int) -> None:
    skill_ids = {skill.code: skill.id for skill in data.skills}
    names: Counter[str] = Counter()
    subcontractors = 0
    for index in range(count):
        template = catalog.CREW_TEMPLATES[index % len(catalog.CREW_TEMPLATES)]
        branch = data.branches[index % len(data.branches)]
        label = f"{branch.name.split(' /')[0]} {template.specialty}"
        names[label] += 1
        name = f"{label} {names[label]}"
        if template.subcontractor:
            firm = catalog.SUBCONTRACTOR_NAMES[subcontractors % len(catalog.SUBCONTRACTOR_NAMES)]
            name, subcontractors = f"{firm} ({name})", subcontractors + 1
        crew_id = new_uuid(rng)
        members = _members(rng, crew_id, template, opened)
        if index == 0:
            members[0].name = FIRST_CREW_LEAD
        latitude, longitude = point_near(rng, branch.latitude, branch.longitude, 6.0)
        data.crews.append(
            CrewRow(
                id=crew_id,
                name=name,
                branch_id=branch.id,
                lead_name=members[0].name,
                phone=phone(rng),
                capacity_squares_per_day=rng.randint(*template.capacity),
                is_subcontractor=template.subcontractor,
                home_latitude=latitude,
                home_longitude=longitude,
                color=catalog.CREW_COLORS[index % len(catalog.CREW_COLORS)],
                created_at=opened,
                updated_at=opened,
            )
        )
        data.crew_members.extend(members)
        data.crew_skills.extend(CrewSkillRow(crew_id, skill_ids[code]) for code in template.skills)


def _members(
    rng: random.Random, crew_id: uuid.UUID, template: catalog.CrewTemplate, opened: datetime
) -> list[CrewMemberRow]:
    trade = "technician" if template.specialty in ("Gutter", "Service") else "roofer"
    members = []
    for position in range(rng.randint(*template.members)):
        first, last = person_name(rng)
        role = "foreman" if position == 0 else trade
        members.append(
            CrewMemberRow(new_uuid(rng), crew_id, f"{first} {last}", role, opened, opened)
        )
    return members


def _plan(rng: random.Random, specs: list[JobSpec], data: DemoData) -> None:
    for spec in specs:
        plan_sales(rng, spec, data.hail_events)
    skills_by_code = {skill.id: skill.code for skill in data.skills}
    crew_skills: dict[uuid.UUID, set[str]] = {crew.id: set() for crew in data.crews}
    for link in data.crew_skills:
        crew_skills[link.crew_id].add(skills_by_code[link.skill_id])
    book_crews(rng, specs, data.crews, crew_skills)


def _rows(rng: random.Random, specs: list[JobSpec], data: DemoData, *, cutoff: datetime) -> None:
    """Cut every planned history at the as-of moment and turn specs into rows."""
    names = {customer.id: customer.display_name for customer in data.customers}
    for spec in specs:
        kept = [event for event in spec.events if event.at <= cutoff]
        data.jobs.append(_job_row(spec, kept, names))
        data.stage_events.extend(_event_rows(rng, spec.id, kept, cutoff))


def _job_row(spec: JobSpec, kept: list[PlannedEvent], names: dict[uuid.UUID, str]) -> JobRow:
    assert spec.prop is not None
    assert spec.branch is not None
    reached = {event.stage for event in kept}
    claim = spec.claim
    filed = claim is not None and bool(reached & CLAIM_FILED)
    approved = claim is not None and JobStage.CONTRACT_SIGNED in reached
    return JobRow(
        id=spec.id,
        number=spec.number,
        name=f"{names[spec.prop.customer_id]} - {TYPE_LABELS[spec.job_type]}",
        customer_id=spec.prop.customer_id,
        property_id=spec.prop.id,
        branch_id=spec.branch.id,
        crew_id=spec.crew_id if JobStage.SCHEDULED in reached else None,
        job_type=spec.job_type,
        material=spec.material,
        squares=spec.squares,
        pitch=spec.pitch,
        priority=spec.priority,
        sales_rep=spec.rep.name,
        description=spec.description,
        stage=kept[-1].stage,
        stage_changed_at=kept[-1].at,
        contract_cents=signed_price(spec) if JobStage.CONTRACT_SIGNED in reached else None,
        contract_source=FigureSource.JOBNIMBUS if JobStage.CONTRACT_SIGNED in reached else None,
        payer=spec.payer,
        insurance_carrier=claim.carrier if claim else "",
        claim_number=claim.number if claim and filed else "",
        rcv_cents=claim.rcv_cents if claim and approved else None,
        acv_cents=claim.acv_cents if claim and approved else None,
        deductible_cents=claim.deductible_cents if claim and approved else None,
        depreciation_held_cents=claim.depreciation_cents if claim and approved else None,
        created_at=spec.lead_at,
        updated_at=kept[-1].at,
    )


def _event_rows(
    rng: random.Random, job_id: uuid.UUID, kept: list[PlannedEvent], cutoff: datetime
) -> list[StageEventRow]:
    rows, previous = [], None
    for event in kept:
        rows.append(
            StageEventRow(
                id=new_uuid(rng),
                job_id=job_id,
                from_stage=previous,
                to_stage=event.stage,
                occurred_at=event.at,
                recorded_at=min(event.at + _entry_lag(rng), max(event.at, cutoff)),
                actor_type=ActorType.SYSTEM,
                actor_label=event.actor,
                reason=event.reason,
            )
        )
        previous = event.stage
    return rows


def _entry_lag(rng: random.Random) -> timedelta:
    """Most moves are entered at once; some at the end of the day, a few the next morning."""
    roll = rng.random()
    if roll < 0.8:
        return timedelta(minutes=between(rng, 0, 29))
    if roll < 0.95:
        return timedelta(minutes=between(rng, 60, 359))
    return timedelta(minutes=between(rng, 14 * 60, 26 * 60))
