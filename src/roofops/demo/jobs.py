"""What each lead is: type, material, size, pitch, payer, claim figures, place and sales rep."""

from __future__ import annotations

import math
import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from roofops.demo import catalog
from roofops.demo.catalog import SalesRep
from roofops.demo.clock import at_local
from roofops.demo.demand import STORM, LeadSlot
from roofops.demo.people import Customers
from roofops.demo.rand import new_uuid, pick
from roofops.demo.records import BranchRow, HailEvent, PropertyRow
from roofops.models.enums import JobStage, JobType, Material, PayerKind, Priority

FIRST_JOB_NUMBER = 1001
PRICES = {(job_type, material): cents for job_type, material, cents in catalog.PRICE_LIST}
TYPE_LABELS = {
    JobType.REROOF: "Re-roof",
    JobType.REPAIR: "Repair",
    JobType.INSPECTION: "Roof inspection",
    JobType.GUTTERS: "Gutters",
    JobType.NEW_CONSTRUCTION: "New construction",
}
STORM_TYPES = ((JobType.REROOF, 0.70), (JobType.REPAIR, 0.24), (JobType.GUTTERS, 0.06))
INSURANCE_SHARE = {
    (True, JobType.REROOF): 0.88,
    (True, JobType.REPAIR): 0.45,
    (True, JobType.GUTTERS): 0.6,
    (False, JobType.REROOF): 0.10,
    (False, JobType.REPAIR): 0.06,
}
MATERIAL_MIX: dict[str, tuple[tuple[Material, float], ...]] = {
    "residential": (
        (Material.ASPHALT_SHINGLE, 0.84),
        (Material.METAL, 0.08),
        (Material.TILE, 0.05),
        (Material.LOW_SLOPE_TPO, 0.03),
    ),
    "storm": ((Material.ASPHALT_SHINGLE, 0.9), (Material.METAL, 0.05), (Material.TILE, 0.05)),
    "commercial": (
        (Material.LOW_SLOPE_TPO, 0.65),
        (Material.ASPHALT_SHINGLE, 0.30),
        (Material.METAL, 0.05),
    ),
    "repair": (
        (Material.ASPHALT_SHINGLE, 0.8),
        (Material.METAL, 0.06),
        (Material.TILE, 0.08),
        (Material.LOW_SLOPE_TPO, 0.06),
    ),
    "new_construction": ((Material.ASPHALT_SHINGLE, 0.85), (Material.METAL, 0.15)),
}
# (low, high, mode) squares of roof surface.
RESIDENTIAL_SQUARES = (15.0, 45.0, 26.0)
COMMERCIAL_SQUARES = {
    Material.LOW_SLOPE_TPO: (40.0, 220.0, 80.0),
    Material.ASPHALT_SHINGLE: (30.0, 120.0, 50.0),
    Material.METAL: (30.0, 90.0, 45.0),
}
PITCHES = ((4, 10), (5, 18), (6, 22), (7, 16), (8, 12), (9, 8), (10, 6), (11, 4), (12, 4))
ROOF_LIFE_YEARS = {Material.METAL: 45, Material.TILE: 50, Material.LOW_SLOPE_TPO: 22}
REPAIR_WORK = (
    "Replace hail-damaged shingles",
    "Ice dam leak over the garage",
    "Re-flash the chimney",
    "Wind-lifted shingles on the north slope",
    "Pipe boot leak over the bathroom",
    "Replace damaged ridge cap",
    "Skylight flashing leak",
)
INSPECTION_WORK = (
    "Roof certification for a home sale",
    "Pre-listing roof inspection",
    "Annual maintenance inspection",
)
SKILL_FOR_TYPE = {JobType.REPAIR: "repairs", JobType.GUTTERS: "gutters"}


@dataclass(frozen=True)
class Claim:
    carrier: str
    number: str
    rcv_cents: int
    depreciation_cents: int
    deductible_cents: int

    @property
    def acv_cents(self) -> int:
        return self.rcv_cents - self.depreciation_cents


@dataclass
class PlannedEvent:
    stage: JobStage
    at: datetime
    actor: str
    reason: str = ""


@dataclass
class JobSpec:
    """A job while it is being generated; becomes a JobRow and its stage events."""

    id: uuid.UUID
    lead_at: datetime
    hail: HailEvent | None
    job_type: JobType
    material: Material
    commercial: bool
    squares: Decimal | None
    pitch: int | None
    payer: PayerKind
    rep: SalesRep
    priority: Priority = Priority.NORMAL
    claim: Claim | None = None
    number: str = ""
    prop: PropertyRow | None = None
    branch: BranchRow | None = None
    description: str = ""
    events: list[PlannedEvent] = field(default_factory=list)
    ready_day: date | None = None
    crew_id: uuid.UUID | None = None

    @property
    def insured(self) -> bool:
        return self.payer == PayerKind.INSURANCE

    @property
    def required_skill(self) -> str | None:
        """The crew skill the work needs; inspections are done by the sales rep."""
        if self.job_type == JobType.INSPECTION:
            return None
        return SKILL_FOR_TYPE.get(self.job_type, self.material.value)


def job_specs(
    rng: random.Random, slots: list[LeadSlot], customers: Customers, branches: list[BranchRow]
) -> list[JobSpec]:
    """One spec per lead, numbered from 1001 in the order the leads arrived."""
    timed = sorted(
        (
            (at_local(slot.day, rng.randrange(7 * 60, 17 * 60)), index, slot)
            for index, slot in enumerate(slots)
        ),
        key=lambda item: (item[0], item[1]),
    )
    specs = []
    for number, (lead_at, _, slot) in enumerate(timed, start=FIRST_JOB_NUMBER):
        spec = _spec(rng, slot, lead_at)
        spec.number = str(number)
        cities = slot.hail.cities if slot.hail else None
        spec.prop = customers.for_job(
            lead_at,
            commercial=spec.commercial,
            cities=cities,
            builder=spec.job_type == JobType.NEW_CONSTRUCTION,
        )
        spec.branch = nearest_branch(spec.prop, branches)
        spec.description = describe(rng, spec)
        specs.append(spec)
    return specs


def nearest_branch(prop: PropertyRow, branches: list[BranchRow]) -> BranchRow:
    return min(
        branches,
        key=lambda b: math.hypot(
            (b.latitude - prop.latitude) * catalog.KM_PER_DEGREE_LAT,
            (b.longitude - prop.longitude) * catalog.KM_PER_DEGREE_LON,
        ),
    )


def _spec(rng: random.Random, slot: LeadSlot, lead_at: datetime) -> JobSpec:
    storm = slot.kind == STORM
    job_type = pick(rng, STORM_TYPES) if storm else JobType(slot.kind)
    commercial = job_type == JobType.NEW_CONSTRUCTION or (not storm and rng.random() < 0.06)
    material = _material(rng, job_type, commercial=commercial, storm=storm)
    insured = rng.random() < INSURANCE_SHARE.get((storm, job_type), 0.0)
    spec = JobSpec(
        id=new_uuid(rng),
        lead_at=lead_at,
        hail=slot.hail,
        job_type=job_type,
        material=material,
        commercial=commercial,
        squares=_squares(rng, job_type, material, commercial=commercial),
        pitch=_pitch(rng, job_type, material),
        payer=PayerKind.INSURANCE if insured else PayerKind.RETAIL,
        rep=rng.choices(catalog.SALES_REPS, weights=[rep.lead_share for rep in catalog.SALES_REPS])[
            0
        ],
    )
    spec.priority = _priority(rng, spec)
    spec.claim = claim_for(rng, spec) if insured else None
    if insured and spec.claim is None:
        spec.payer = PayerKind.RETAIL
    return spec


def _material(rng: random.Random, job_type: JobType, *, commercial: bool, storm: bool) -> Material:
    if job_type == JobType.GUTTERS:
        return Material.GUTTERS
    if job_type == JobType.INSPECTION:
        return Material.OTHER
    if job_type in (JobType.REPAIR, JobType.NEW_CONSTRUCTION):
        return pick(rng, MATERIAL_MIX[job_type.value])
    mix = "commercial" if commercial else "storm" if storm else "residential"
    return pick(rng, MATERIAL_MIX[mix])


def _squares(
    rng: random.Random, job_type: JobType, material: Material, *, commercial: bool
) -> Decimal | None:
    if job_type in (JobType.GUTTERS, JobType.INSPECTION):
        return None
    if job_type == JobType.REPAIR:
        return None if rng.random() < 0.4 else _two_places(rng.uniform(1.0, 5.0))
    low, high, mode = COMMERCIAL_SQUARES[material] if commercial else RESIDENTIAL_SQUARES
    return _two_places(rng.triangular(low, high, mode))


def _two_places(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


def _pitch(rng: random.Random, job_type: JobType, material: Material) -> int | None:
    if job_type in (JobType.GUTTERS, JobType.INSPECTION):
        return None
    if material == Material.LOW_SLOPE_TPO:
        return rng.choice((0, 0, 1, 2))
    return pick(rng, tuple((pitch, float(weight)) for pitch, weight in PITCHES))


def _priority(rng: random.Random, spec: JobSpec) -> Priority:
    if spec.job_type == JobType.REPAIR:
        leak_odds = 0.4 if spec.lead_at.month in (11, 12, 1, 2, 3) else 0.25
        return Priority.URGENT if rng.random() < leak_odds else Priority.HIGH
    if spec.hail is not None and rng.random() < 0.3:
        return Priority.HIGH
    if spec.job_type == JobType.INSPECTION and rng.random() < 0.5:
        return Priority.LOW
    return Priority.NORMAL


def claim_for(rng: random.Random, spec: JobSpec) -> Claim | None:
    """RCV from the scope, depreciation from the roof's age, a flat or percentage deductible.

    The first cheque (RCV - depreciation - deductible) must stay clearly positive: a percentage
    deductible that would swallow it becomes a flat one, and a claim even the smallest
    deductible swallows is not filed (the job becomes retail).
    """
    rcv = _rcv_cents(rng, spec)
    depreciation = round(rcv * _depreciation_rate(rng, spec))
    deductible = _deductible_cents(rng, ceiling=round(0.6 * (rcv - depreciation)))
    if deductible is None:
        return None
    carriers = catalog.CARRIERS
    carrier, _, pattern = rng.choices(carriers, weights=[weight for _, weight, _ in carriers])[0]
    return Claim(carrier, claim_number(rng, pattern), rcv, depreciation, deductible)


def _rcv_cents(rng: random.Random, spec: JobSpec) -> int:
    if spec.job_type == JobType.GUTTERS:
        return rng.randrange(1_800_00, 4_800_00)
    price = PRICES[(spec.job_type, spec.material)]
    squares = float(spec.squares) if spec.squares is not None else rng.uniform(1.0, 2.5)
    extras = rng.choice((0, 0, rng.randrange(800_00, 3_500_00)))  # gutters, vents, code items
    return round(squares * price * rng.uniform(0.92, 1.12)) + extras


def signed_price(spec: JobSpec) -> int:
    """The price the customer signs: the approved RCV for an insurance job, else squares x the
    price list with the job's own give and take (a steep roof costs more). Drawn from the job's
    own generator, so adding it changed no other demo figure."""
    rng = random.Random(spec.id.int)  # noqa: S311 (demo data, not cryptography)
    if spec.claim is not None:
        return spec.claim.rcv_cents
    if spec.job_type == JobType.GUTTERS:
        return rng.randint(120, 260) * rng.randint(1200, 1600)
    if spec.job_type == JobType.INSPECTION:
        return rng.randint(295, 495) * 100
    squares = float(spec.squares) if spec.squares is not None else 1.0
    steep = 1.15 if (spec.pitch or 0) >= 9 else 1.0
    price = PRICES[(spec.job_type, spec.material)]
    return max(round(squares * price * rng.uniform(0.97, 1.10) * steep), 450_00)


def _depreciation_rate(rng: random.Random, spec: JobSpec) -> float:
    if spec.job_type == JobType.GUTTERS:
        return rng.uniform(0.1, 0.3)
    age = rng.uniform(6.0, 24.0)
    life = ROOF_LIFE_YEARS.get(spec.material, 25)
    return min(0.55, age / life * rng.uniform(0.55, 0.8))


def _deductible_cents(rng: random.Random, *, ceiling: int) -> int | None:
    flat = rng.choice(catalog.DEDUCTIBLES_DOLLARS) * 100
    if rng.random() < 0.3:  # wind/hail deductibles of 1-2 % of the dwelling's value are common
        percent = rng.choice((1, 1, 1, 2))
        flat = rng.randrange(350_000, 900_000, 5_000) * percent
    if flat <= ceiling:
        return flat
    smaller = [dollars * 100 for dollars in catalog.DEDUCTIBLES_DOLLARS if dollars * 100 <= ceiling]
    return rng.choice(smaller) if smaller else None


def claim_number(rng: random.Random, pattern: str) -> str:
    """Fill a carrier's pattern: 9 a digit, A a letter, X either."""
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    pools = {"9": "0123456789", "A": letters, "X": letters + "0123456789"}
    return "".join(rng.choice(pools[char]) if char in pools else char for char in pattern)


def describe(rng: random.Random, spec: JobSpec) -> str:
    product = rng.choice(catalog.PRODUCTS[spec.material])
    if spec.job_type == JobType.REPAIR:
        text = rng.choice(REPAIR_WORK) + "."
    elif spec.job_type == JobType.INSPECTION:
        text = rng.choice(INSPECTION_WORK) + "."
    elif spec.job_type == JobType.GUTTERS:
        text = f"Replace gutters and downspouts: {product}."
    else:
        work = "Install" if spec.job_type == JobType.NEW_CONSTRUCTION else "Tear off and replace"
        text = f"{work} {spec.squares} sq at {spec.pitch}/12 with {product}."
    if spec.hail is not None:
        text += f" Hail on {spec.hail.day:%b %d, %Y}."
    return text
