"""Request and response bodies of the accounting and profitability API (money in dollars)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from roofops.financials.figures import FIGURES, Figure, Totals, totals
from roofops.financials.reports import MarginGroup, ProfitSummary
from roofops.financials.service import figures_of
from roofops.kit.money import from_cents
from roofops.models.enums import (
    AccountingDocStatus,
    CostCategory,
    FigureSource,
    FinancialSyncStatus,
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
    books_amount: Decimal | None = Field(description="what the accounting system says, if any")

    @classmethod
    def of(cls, figure: Figure) -> FigureOut:
        return cls(
            amount=dollars(figure.cents),
            source=figure.source,
            books_amount=dollars(figure.synced_cents),
        )


class TotalsOut(BaseModel):
    contract: Decimal | None
    total_cost: Decimal | None
    gross_profit: Decimal | None
    margin: Decimal | None = Field(description="gross profit / contract, e.g. 0.3125")

    @classmethod
    def of(cls, totals: Totals) -> TotalsOut:
        return cls(
            contract=dollars(totals.contract_cents),
            total_cost=dollars(totals.total_cost_cents),
            gross_profit=dollars(totals.gross_profit_cents),
            margin=totals.margin,
        )


class ProfitRowOut(BaseModel):
    job_id: uuid.UUID
    number: str
    name: str
    job_type: str
    sales_rep: str
    figures: dict[str, FigureOut]
    totals: TotalsOut
    last_synced_at: datetime | None
    sync_status: FinancialSyncStatus
    sync_error: str

    @classmethod
    def of(cls, job: Job, row: JobFinancials) -> ProfitRowOut:
        figures = figures_of(row)
        return cls(
            job_id=job.id,
            number=job.number,
            name=job.name,
            job_type=job.job_type.value,
            sales_rep=job.sales_rep,
            figures={name: FigureOut.of(figures[name]) for name in FIGURES},
            totals=TotalsOut.of(totals(figures)),
            last_synced_at=row.last_synced_at,
            sync_status=row.sync_status,
            sync_error=row.sync_error,
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
    total_cost_cents: int | None
    gross_profit_cents: int | None
    margin: Decimal | None


class JobProfitabilityOut(ProfitRowOut):
    estimate: TotalsOut = Field(description="the placeholder estimate, to compare with actual")
    invoices: list[InvoiceOut]
    cost_lines: list[CostLineOut]
    history: list[SnapshotOut]


class MarginGroupOut(BaseModel):
    key: str
    jobs: int
    contract: Decimal
    gross_profit: Decimal
    margin: Decimal | None

    @classmethod
    def of(cls, group: MarginGroup) -> MarginGroupOut:
        return cls(
            key=group.key,
            jobs=group.jobs,
            contract=from_cents(group.contract_cents),
            gross_profit=from_cents(group.gross_profit_cents),
            margin=group.margin,
        )


class SummaryOut(BaseModel):
    jobs: int
    jobs_with_figures: int
    contract: Decimal
    cost: Decimal
    gross_profit: Decimal
    margin: Decimal | None
    by_type: list[MarginGroupOut]
    by_month: list[MarginGroupOut]
    distribution: list[tuple[str, int]]
    sources: dict[str, int]

    @classmethod
    def of(cls, summary: ProfitSummary) -> SummaryOut:
        return cls(
            jobs=summary.jobs,
            jobs_with_figures=summary.jobs_with_figures,
            contract=from_cents(summary.contract_cents),
            cost=from_cents(summary.cost_cents),
            gross_profit=from_cents(summary.gross_profit_cents),
            margin=summary.margin,
            by_type=[MarginGroupOut.of(group) for group in summary.by_type],
            by_month=[MarginGroupOut.of(group) for group in summary.by_month],
            distribution=summary.distribution,
            sources=summary.sources,
        )


class ManualFigureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount: Decimal = Field(ge=0, le=Decimal("100000000"), decimal_places=2)
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
