"""JSON shapes for jobs and their stage events. Money is dollars here, cents in the database."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    Field,
    StringConstraints,
)

from roofops.crew.schemas import BranchRef, CrewRef
from roofops.customer.schemas import CustomerRef, PropertyRef
from roofops.kit.schemas import (
    Dollars,
    IsoDateTime,
    MoneyOut,
    OrmModel,
    PatchModel,
    WholeNumber,
    decimal,
    money,
    refuse_nul,
    text,
)
from roofops.models.enums import (
    ActorType,
    FigureSource,
    JobStage,
    JobType,
    Material,
    PayerKind,
    Priority,
)

Number = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^\S{1,32}$"),
    AfterValidator(refuse_nul),
    Field(description="shared with the CRM and the accounting DocNumber; no spaces"),
]
JobName = Annotated[str, text(1, 200)]
Squares = Annotated[
    Decimal,
    decimal(ge=0, max_digits=8, decimal_places=2),
    Field(description="roofing squares (100 sq ft)"),
]
Pitch = Annotated[WholeNumber, Field(ge=0, le=24, description="rise in inches per 12 of run")]
SalesRep = Annotated[str, text(0, 120)]
Description = Annotated[str, StringConstraints(max_length=20_000), AfterValidator(refuse_nul)]
Carrier = Annotated[str, text(0, 120)]
ClaimNumber = Annotated[str, text(0, 64)]

# Dollar fields of the API and the cents columns they are stored in.
MONEY_COLUMNS = {
    "contract_amount": "contract_cents",
    "rcv": "rcv_cents",
    "acv": "acv_cents",
    "deductible": "deductible_cents",
    "depreciation_held": "depreciation_held_cents",
}


class JobCreate(BaseModel):
    number: Number
    name: JobName
    customer_id: uuid.UUID
    property_id: uuid.UUID = Field(description="must belong to the customer")
    branch_id: uuid.UUID | None = None
    crew_id: uuid.UUID | None = None
    job_type: JobType
    material: Material
    squares: Squares | None = None
    pitch: Pitch | None = None
    priority: Priority = Priority.NORMAL
    sales_rep: SalesRep = ""
    description: Description = ""
    stage: JobStage = Field(
        default=JobStage.LEAD, description="first stage (imports may start later)"
    )
    payer: PayerKind = PayerKind.RETAIL
    insurance_carrier: Carrier = ""
    claim_number: ClaimNumber = ""
    contract_amount: Dollars | None = Field(
        default=None, description="the price the customer signed, dollars"
    )
    rcv: Dollars | None = Field(default=None, description="replacement cost value, dollars")
    acv: Dollars | None = Field(default=None, description="actual cash value, dollars")
    deductible: Dollars | None = None
    depreciation_held: Dollars | None = None


class JobUpdate(PatchModel):
    """Stage is not here: move a job with ``POST /jobs/{id}/stage``."""

    nullable = frozenset(
        {
            "branch_id",
            "crew_id",
            "squares",
            "pitch",
            "contract_amount",
            "rcv",
            "acv",
            "deductible",
            "depreciation_held",
        }
    )

    number: Number | None = None
    name: JobName | None = None
    customer_id: uuid.UUID | None = None
    property_id: uuid.UUID | None = None
    branch_id: uuid.UUID | None = None
    crew_id: uuid.UUID | None = None
    job_type: JobType | None = None
    material: Material | None = None
    squares: Squares | None = None
    pitch: Pitch | None = None
    priority: Priority | None = None
    sales_rep: SalesRep | None = None
    description: Description | None = None
    payer: PayerKind | None = None
    insurance_carrier: Carrier | None = None
    claim_number: ClaimNumber | None = None
    contract_amount: Dollars | None = None
    rcv: Dollars | None = None
    acv: Dollars | None = None
    deductible: Dollars | None = None
    depreciation_held: Dollars | None = None


class StageMove(BaseModel):
    stage: JobStage
    reason: Annotated[str, text(0, 2000)] = Field(
        default="", description="required when moving back or reopening"
    )
    occurred_at: IsoDateTime | None = Field(
        default=None,
        description="when it happened (default now); not in the future, "
        "not before the job's latest stage change",
    )


class StageEventOut(OrmModel):
    id: uuid.UUID
    from_stage: JobStage | None
    to_stage: JobStage
    occurred_at: datetime
    recorded_at: datetime
    actor_type: ActorType
    actor_id: uuid.UUID | None
    actor_label: str
    reason: str


class JobOut(OrmModel):
    id: uuid.UUID
    number: str
    name: str
    customer_id: uuid.UUID
    property_id: uuid.UUID
    branch_id: uuid.UUID | None
    crew_id: uuid.UUID | None
    customer: CustomerRef
    property: PropertyRef
    branch: BranchRef | None
    crew: CrewRef | None
    job_type: JobType
    material: Material
    squares: Decimal | None
    pitch: int | None
    priority: Priority
    sales_rep: str
    description: str
    stage: JobStage
    stage_changed_at: datetime
    unmapped_crm_status: str = Field(
        description="the CRM status the status map does not know yet (the job shows its last "
        "known stage until it is mapped and resynced); empty when the stage is the CRM's own"
    )
    payer: PayerKind
    insurance_carrier: str
    claim_number: str
    contract_amount: Annotated[MoneyOut, money("the price the customer signed")] = Field(
        validation_alias="contract_cents"
    )
    contract_source: FigureSource | None = Field(
        description="jobnimbus (the CRM's job amount) or manual (entered in roofops)"
    )
    rcv: Annotated[MoneyOut, money("replacement cost value")] = Field(validation_alias="rcv_cents")
    acv: Annotated[MoneyOut, money("actual cash value")] = Field(validation_alias="acv_cents")
    deductible: MoneyOut = Field(validation_alias="deductible_cents")
    depreciation_held: MoneyOut = Field(validation_alias="depreciation_held_cents")
    created_at: datetime
    updated_at: datetime
    next_stages: list[JobStage] = Field(
        default_factory=list,
        description="stages the caller's role may move this job to next (some need a reason); "
        "the lifecycle may allow other roles more (docs/access.md)",
    )


class JobDetail(JobOut):
    stage_events: list[StageEventOut]


class StageCount(BaseModel):
    stage: JobStage
    count: int
