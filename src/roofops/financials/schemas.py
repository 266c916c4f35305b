"""Request and response bodies of the accounting and profitability API (money in dollars)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from roofops.financials.figures import FIGURES, Figure
from roofops.financials.reports import MarginGroup, ProfitSummary
from roofops.financials.service import figures_of
from roofops.kit.money import from_cents
from roofops.kit.schemas import decimal
from roofops.models.enums import (
    AccountingDocStatus,
    CostCategory,
    FigureSource,
    FinancialSyncStatus,
    JobStage,
    MarginKind,
)
from roofops.models.financials import JobFinancials
from roofops.models.job import Job

FigureName = Literal[
    "contract", "materials", "labor", "subcontractor", "permits", "disposal", "equipment", "other"
]


def dollars(cents: int | None) -> Decimal | None:
    return None if cents is None else from_cents(cents)


class FigureOut(BaseModel):
    amount: Decimal | None
    source: FigureSource
    synced_amount: Decimal | None = Field(
        description="what its outside source last said (the CRM for the contract amount, the "
        "books for a cost), kept under a figure set by hand"
    )

    @classmethod
    def of(cls, figure: Figure) -> FigureOut:
        return cls(
            amount=dollars(figure.cents),
            source=figure.source,
            synced_amount=dollars(figure.synced_cents),
        )


class MoneyOut(BaseModel):
    """A job's money; definitions in docs/profitability.md."""

    contract: Decimal | None = Field(description="the price the customer signed")
    invoiced: Decimal | None = Field(description="invoices in the books (null: no books yet)")
    paid: Decimal | None
    balance: Decimal | None = Field(description="what the invoices still have open")
    cost_to_date: Decimal | None = Field(description="costs in the books (null: none known)")
    estimated_cost: Decimal | None = Field(description="contract x typical cost shares")
    projected_cost: Decimal | None = Field(description="costs to date plus estimated remainder")
    margin_kind: MarginKind = Field(
        description="none (not sold), projected (open job) or actual (paid, or invoiced for 30 "
        "days, with costs in the books)"
    )
    margin: Decimal | None = Field(description="the margin of that kind, e.g. 0.3125")
    projected_margin: Decimal | None
    actual_margin: Decimal | None

    @classmethod
    def of(cls, money: JobFinancials, kind: MarginKind) -> MoneyOut:
        return cls(
            contract=dollars(money.contract_cents),
            invoiced=dollars(money.invoiced_cents),
            paid=dollars(money.paid_cents),
            balance=dollars(money.balance_cents),
            cost_to_date=dollars(money.cost_to_date_cents),
            estimated_cost=dollars(money.estimated_cost_cents),
            projected_cost=dollars(money.projected_cost_cents),
            margin_kind=kind,
            margin=money.margin(kind),
            projected_margin=money.projected_margin,
            actual_margin=money.actual_margin,
        )


class ProfitRowOut(BaseModel):
    job_id: uuid.UUID
    number: str
    name: str
    job_type: str
    stage: JobStage
    sales_rep: str
    figures: dict[str, FigureOut]
    money: MoneyOut
    last_synced_at: datetime | None
    sync_status: FinancialSyncStatus
    sync_error: str

    @classmethod
    def of(cls, job: Job, money: JobFinancials, kind: MarginKind) -> ProfitRowOut:
        figures = figures_of(money)
        return cls(
            job_id=job.id,
            number=job.number,
            name=job.name,
            job_type=job.job_type.value,
            stage=job.stage,
            sales_rep=job.sales_rep,
            figures={name: FigureOut.of(figures[name]) for name in FIGURES},
            money=MoneyOut.of(money, kind),
            last_synced_at=money.last_synced_at,
            sync_status=money.sync_status,
            sync_error=money.sync_error,
        )


class InvoiceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    doc_number: str
    txn_date: date | None
    total_cents: int
    balance_cents: int
    status: AccountingDocStatus


class CostLineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    txn_type: str
    txn_date: date | None
    vendor_name: str
    category: CostCategory
    amount_cents: int
    description: str


class SnapshotOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    taken_at: datetime
    cause: str
    contract_cents: int | None
    invoiced_cents: int | None
    cost_to_date_cents: int | None
    projected_margin: Decimal | None
    actual_margin: Decimal | None


class JobProfitabilityOut(ProfitRowOut):
    estimate: dict[str, Decimal | None] = Field(description="estimated cost by category")
    invoices: list[InvoiceOut]
    cost_lines: list[CostLineOut]
    history: list[SnapshotOut]


class MarginGroupOut(BaseModel):
    key: str
    kind: MarginKind
    jobs: int
    revenue: Decimal
    profit: Decimal
    margin: Decimal | None

    @classmethod
    def of(cls, group: MarginGroup) -> MarginGroupOut:
        return cls(
            key=group.key,
            kind=group.kind,
            jobs=group.jobs,
            revenue=from_cents(group.revenue_cents),
            profit=from_cents(group.profit_cents),
            margin=group.margin,
        )


class BandOut(BaseModel):
    band: str
    final_jobs: int = Field(description="jobs with an actual margin in this band")
    open_jobs: int = Field(description="jobs with a projected margin in this band")


class SummaryOut(BaseModel):
    jobs: int
    sold: int = Field(description="jobs with a signed contract, not lost or cancelled")
    contract: Decimal
    invoiced: Decimal
    paid: Decimal
    balance: Decimal
    cost_to_date: Decimal
    actual: MarginGroupOut = Field(description="final jobs: actual margin")
    projected: MarginGroupOut = Field(description="open jobs: projected margin")
    by_type: list[MarginGroupOut]
    by_month: list[MarginGroupOut]
    distribution: list[BandOut]
    sources: dict[str, int]

    @classmethod
    def of(cls, summary: ProfitSummary) -> SummaryOut:
        return cls(
            jobs=summary.jobs,
            sold=summary.sold,
            contract=from_cents(summary.contract_cents),
            invoiced=from_cents(summary.invoiced_cents),
            paid=from_cents(summary.paid_cents),
            balance=from_cents(summary.balance_cents),
            cost_to_date=from_cents(summary.cost_to_date_cents),
            actual=MarginGroupOut.of(summary.actual),
            projected=MarginGroupOut.of(summary.projected),
            by_type=[MarginGroupOut.of(group) for group in summary.by_type],
            by_month=[MarginGroupOut.of(group) for group in summary.by_month],
            distribution=[
                BandOut(band=b, final_jobs=f, open_jobs=o) for b, f, o in summary.distribution
            ],
            sources=summary.sources,
        )


class ManualFigureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount: Annotated[Decimal, decimal(ge=0, le=Decimal("100000000"), decimal_places=2)]
    reason: str = Field(min_length=3, max_length=500)


class ClearFigureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=3, max_length=500)


class CostMappingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    kind: str
    external_id: str
    external_name: str
    category: CostCategory


class CostMappingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    category: CostCategory
