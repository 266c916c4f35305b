"""Demo-like committed data for the browser tests: branches, reps and ~30 jobs with history."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import time_machine
from sqlalchemy.orm import Session

from roofops.auth.permissions import may_move
from roofops.auth.principal import SYSTEM
from roofops.auth.service import principal_for
from roofops.company.schemas import CompanyUpdate
from roofops.company.service import company_service
from roofops.job.lifecycle import PIPELINE
from roofops.job.schemas import JobCreate
from roofops.job.service import job_service
from roofops.kit.time import utcnow
from roofops.models import ActorType, Branch, JobStage, JobType, Material, PayerKind, User
from tests.factories import make_customer, make_property

CUSTOMERS = (
    "Maria Lopez",
    "James Carter",
    "Harper Family Trust",
    "Evergreen HOA",
    "Daniel Kim",
    "Olivia Brooks",
    "Summit Dental Group",
    "Noah Patel",
    "Ava Thompson",
    "Liam O'Connor",
    "Sophia Nguyen",
    "Mason Rivera",
    "Front Range Storage",
    "Isabella Chen",
    "Ethan Walker",
    "Mia Robinson",
    "Lucas Martin",
    "Charlotte Young",
    "Benjamin Scott",
    "Amelia Hughes",
    "Elijah Foster",
    "Grace Bennett",
    "Henry Price",
    "Chloe Ward",
    "Jack Morgan",
    "Lily Cooper",
    "Owen Reed",
    "Zoe Bailey",
    "Caleb Gray",
    "Nora Sullivan",
)
STREETS = ("Maple Ave", "Cedar St", "Aspen Way", "Ridge Rd", "Willow Ct", "Pine St", "Elm Dr")
CITIES = ("Denver", "Aurora", "Lakewood", "Littleton", "Boulder", "Golden", "Arvada")
REPS = ("Dana Whitfield", "Marcus Lee", "Priya Shah")
KINDS = (
    (JobType.REROOF, Material.ASPHALT_SHINGLE, "Full reroof"),
    (JobType.REPAIR, Material.ASPHALT_SHINGLE, "Hail repair"),
    (JobType.REROOF, Material.METAL, "Metal roof"),
    (JobType.GUTTERS, Material.GUTTERS, "Seamless gutters"),
    (JobType.REROOF, Material.LOW_SLOPE_TPO, "TPO flat roof"),
    (JobType.INSPECTION, Material.OTHER, "Storm inspection"),
)
FINAL_STAGES = (*PIPELINE, JobStage.LOST, JobStage.CANCELLED)


@dataclass(frozen=True)
class Seeded:
    jobs: int
    scheduled_number: str


def _path(final: JobStage) -> list[JobStage]:
    """The forward moves from lead that end in ``final``."""
    if final == JobStage.LOST:
        return [JobStage.INSPECTION, JobStage.ESTIMATE, JobStage.LOST]
    if final == JobStage.CANCELLED:
        return [JobStage.ESTIMATE, JobStage.CONTRACT_SIGNED, JobStage.CANCELLED]
    return list(PIPELINE[1 : PIPELINE.index(final) + 1])


def _branches(db: Session) -> list[Branch]:
    branches = [Branch(code="DEN", name="Denver Metro"), Branch(code="BLD", name="Boulder")]
    db.add_all(branches)
    db.flush()
    return branches


def _job_data(db: Session, i: int, branch: Branch, rng: random.Random) -> JobCreate:
    kind, material, title = KINDS[i % len(KINDS)]
    customer = make_customer(db, name=CUSTOMERS[i])
    prop = make_property(db, customer=customer, city=CITIES[i % len(CITIES)])
    prop.address_line1 = f"{rng.randint(100, 9999)} {STREETS[i % len(STREETS)]}"
    insured = i % 3 == 0
    return JobCreate(
        number=f"J-{24100 + i}",
        name=f"{title} - {CUSTOMERS[i].split()[-1]}",
        customer_id=customer.id,
        property_id=prop.id,
        branch_id=branch.id,
        job_type=kind,
        material=material,
        squares=Decimal(rng.randint(12, 48)) + Decimal("0.5"),
        pitch=rng.choice((4, 5, 6, 7, 8, 10)),
        sales_rep=REPS[i % len(REPS)],
        payer=PayerKind.INSURANCE if insured else PayerKind.RETAIL,
        insurance_carrier="State Farm" if insured else "",
        claim_number=f"CLM-{880000 + i}" if insured else "",
        rcv=Decimal("18450.00") if insured else None,
        acv=Decimal("14200.00") if insured else None,
        deductible=Decimal("1000.00") if insured else None,
        depreciation_held=Decimal("4250.00") if insured else None,
    )


def seed(db: Session, user: User) -> Seeded:
    rng = random.Random(7)
    company_service.update(db, SYSTEM, CompanyUpdate(name="Front Range Roofing"))
    branches = _branches(db)
    person = principal_for(user, actor_type=ActorType.USER)
    scheduled = ""
    for i in range(len(CUSTOMERS)):
        final = FINAL_STAGES[i % len(FINAL_STAGES)]
        when = utcnow() - timedelta(days=70 - i, hours=rng.randint(0, 8))
        with time_machine.travel(when, tick=False):
            job = job_service.create(db, SYSTEM, _job_data(db, i, branches[i % 2], rng))
        source = job.stage
        for stage in _path(final):
            when += timedelta(days=rng.randint(1, 4), hours=rng.randint(1, 9))
            # The person is office staff: the money moves are finance's (here the system's).
            by_person = rng.random() < 0.7 and may_move(user.role, source, stage)
            actor = person if by_person else SYSTEM
            job_service.move_stage(db, actor, job.id, stage, occurred_at=when)
            source = stage
        if final == JobStage.SCHEDULED and not scheduled:
            scheduled = job.number
    return Seeded(jobs=len(CUSTOMERS), scheduled_number=scheduled)
