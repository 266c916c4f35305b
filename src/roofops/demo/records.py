"""Plain rows of the demo company: one dataclass per table, field names equal to column names.

Not frozen: a frozen dataclass costs several times more to build, and there are 200,000+ rows.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from roofops.models.dispatch import TimeOffKind
from roofops.models.enums import (
    ActorType,
    FigureSource,
    JobStage,
    JobType,
    Material,
    PayerKind,
    Priority,
)


@dataclass
class BranchRow:
    id: uuid.UUID
    code: str
    name: str
    address: str
    latitude: float
    longitude: float
    created_at: datetime
    updated_at: datetime


@dataclass
class SkillRow:
    id: uuid.UUID
    code: str
    name: str
    created_at: datetime
    updated_at: datetime


@dataclass
class CrewRow:
    id: uuid.UUID
    name: str
    branch_id: uuid.UUID
    lead_name: str
    phone: str
    capacity_squares_per_day: int
    is_subcontractor: bool
    home_latitude: float
    home_longitude: float
    color: str
    created_at: datetime
    updated_at: datetime


@dataclass
class CrewSkillRow:
    crew_id: uuid.UUID
    skill_id: uuid.UUID


@dataclass
class CrewMemberRow:
    id: uuid.UUID
    crew_id: uuid.UUID
    name: str
    role: str
    created_at: datetime
    updated_at: datetime


@dataclass
class CustomerRow:
    id: uuid.UUID
    display_name: str
    first_name: str
    last_name: str
    company_name: str
    email: str
    phone: str
    is_commercial: bool
    created_at: datetime
    updated_at: datetime


@dataclass
class PropertyRow:
    id: uuid.UUID
    customer_id: uuid.UUID
    address_line1: str
    city: str
    state: str
    postal_code: str
    latitude: float
    longitude: float
    created_at: datetime
    updated_at: datetime


@dataclass
class JobRow:
    id: uuid.UUID
    number: str
    name: str
    customer_id: uuid.UUID
    property_id: uuid.UUID
    branch_id: uuid.UUID
    crew_id: uuid.UUID | None
    job_type: JobType
    material: Material
    squares: Decimal | None
    pitch: int | None
    priority: Priority
    sales_rep: str
    description: str
    stage: JobStage
    stage_changed_at: datetime
    contract_cents: int | None  # the signed price, once the contract is signed
    contract_source: FigureSource | None  # the demo company's jobs came from its CRM
    payer: PayerKind
    insurance_carrier: str
    claim_number: str
    rcv_cents: int | None
    acv_cents: int | None
    deductible_cents: int | None
    depreciation_held_cents: int | None
    created_at: datetime
    updated_at: datetime


@dataclass
class StageEventRow:
    id: uuid.UUID
    job_id: uuid.UUID
    from_stage: JobStage | None
    to_stage: JobStage
    occurred_at: datetime
    recorded_at: datetime
    actor_type: ActorType
    actor_label: str
    reason: str


@dataclass
class PriceRow:
    id: uuid.UUID
    job_type: JobType
    material: Material
    price_per_square_cents: int
    created_at: datetime
    updated_at: datetime


@dataclass
class HolidayRow:
    id: uuid.UUID
    on: date
    name: str
    created_at: datetime
    updated_at: datetime


@dataclass
class CrewTimeOffRow:
    id: uuid.UUID
    crew_id: uuid.UUID
    starts_on: date
    ends_on: date
    kind: TimeOffKind
    note: str
    created_by_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime


@dataclass
class JobRequirementsRow:
    id: uuid.UUID
    job_id: uuid.UUID
    materials_ready_on: date | None
    permit_ready_on: date | None
    promised_by: date | None
    with_gutters: bool
    production_days: int | None
    visit_minutes: int
    window_start_minute: int | None
    window_end_minute: int | None
    locked_crew_id: uuid.UUID | None
    locked_start_on: date | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class HailEvent:
    """A storm that drives an insurance-lead surge; not stored, but it shapes the data."""

    day: date
    intensity: float
    cities: tuple[str, ...]


@dataclass
class DemoData:
    """Everything the demo company holds, in insert order (parents before children)."""

    size: float
    seed: int
    as_of: date
    branches: list[BranchRow] = field(default_factory=list)
    skills: list[SkillRow] = field(default_factory=list)
    crews: list[CrewRow] = field(default_factory=list)
    crew_skills: list[CrewSkillRow] = field(default_factory=list)
    crew_members: list[CrewMemberRow] = field(default_factory=list)
    customers: list[CustomerRow] = field(default_factory=list)
    properties: list[PropertyRow] = field(default_factory=list)
    jobs: list[JobRow] = field(default_factory=list)
    stage_events: list[StageEventRow] = field(default_factory=list)
    prices: list[PriceRow] = field(default_factory=list)
    holidays: list[HolidayRow] = field(default_factory=list)
    time_off: list[CrewTimeOffRow] = field(default_factory=list)
    requirements: list[JobRequirementsRow] = field(default_factory=list)
    hail_events: list[HailEvent] = field(default_factory=list)

    def tables(self) -> dict[str, list[Any]]:
        """Table name -> rows, in an order that satisfies every foreign key."""
        return {name: getattr(self, attribute) for name, (attribute, _) in TABLES.items()}

    def digest(self) -> str:
        tables = self.tables()
        return table_digest({name: [as_dict(row) for row in rows] for name, rows in tables.items()})


TABLES: dict[str, tuple[str, type[Any]]] = {
    "branches": ("branches", BranchRow),
    "skills": ("skills", SkillRow),
    "crews": ("crews", CrewRow),
    "crew_skills": ("crew_skills", CrewSkillRow),
    "crew_members": ("crew_members", CrewMemberRow),
    "customers": ("customers", CustomerRow),
    "properties": ("properties", PropertyRow),
    "jobs": ("jobs", JobRow),
    "job_stage_events": ("stage_events", StageEventRow),
    "price_list_entries": ("prices", PriceRow),
    "holidays": ("holidays", HolidayRow),
    "crew_time_off": ("time_off", CrewTimeOffRow),
    "job_requirements": ("requirements", JobRequirementsRow),
}


def as_dict(row: Any) -> dict[str, Any]:
    return dict(vars(row))


def columns_of(row_type: type[Any]) -> list[str]:
    return [f.name for f in fields(row_type)]


def table_digest(tables: dict[str, list[dict[str, Any]]]) -> str:
    """SHA-256 over rows in a canonical text form, sorted, so any database can reproduce it."""
    digest = hashlib.sha256()
    for name in sorted(tables):
        digest.update(name.encode())
        for line in sorted(_canonical(row) for row in tables[name]):
            digest.update(line.encode())
    return digest.hexdigest()


def _canonical(row: dict[str, Any]) -> str:
    return "|".join(f"{key}={_text(row[key])}" for key in sorted(row))


def _text(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float):
        return repr(round(value, 7))
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)
