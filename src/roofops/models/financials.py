"""Job money: the current figures with their sources, their history, and what they came from.

Each settable figure (the contract amount, and the costs to date of each category) keeps three
things: the amount in force, its source, and the last amount its outside source said (the CRM
for the contract amount, the books for costs). A MANUAL figure stays in force while syncs keep
updating ``*_synced_cents`` underneath it, so clearing the override brings the synced figure
back at once. What the figures mean: roofops.financials.figures.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, UOWTransaction, mapped_column

from roofops.kit.time import utcnow
from roofops.kit.types import Cents, StrEnum, UTCDateTime, json_type, string_enum
from roofops.models.base import Base, Timestamps, UUIDPrimaryKey
from roofops.models.enums import (
    AccountingDocStatus,
    CostCategory,
    FigureSource,
    FinancialSyncStatus,
    MarginKind,
    Provider,
)
from roofops.models.job import Job

PLACEHOLDER = FigureSource.PLACEHOLDER


class JobFinancials(Timestamps, Base):
    """The current money picture of one job (one row per job)."""

    __tablename__ = "job_financials"
    # The Profit summary's cache asks for the latest change (roofops.financials.reports).
    __table_args__ = (sa.Index("ix_job_financials_updated_at", "updated_at"),)

    job_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True
    )
    contract_cents: Mapped[int | None] = mapped_column(Cents)
    contract_source: Mapped[FigureSource] = mapped_column(
        string_enum(FigureSource), default=PLACEHOLDER
    )
    contract_synced_cents: Mapped[int | None] = mapped_column(Cents)
    materials_cents: Mapped[int | None] = mapped_column(Cents)
    materials_source: Mapped[FigureSource] = mapped_column(
        string_enum(FigureSource), default=PLACEHOLDER
    )
    materials_synced_cents: Mapped[int | None] = mapped_column(Cents)
    labor_cents: Mapped[int | None] = mapped_column(Cents)
    labor_source: Mapped[FigureSource] = mapped_column(
        string_enum(FigureSource), default=PLACEHOLDER
    )
    labor_synced_cents: Mapped[int | None] = mapped_column(Cents)
    subcontractor_cents: Mapped[int | None] = mapped_column(Cents)
    subcontractor_source: Mapped[FigureSource] = mapped_column(
        string_enum(FigureSource), default=PLACEHOLDER
    )
    subcontractor_synced_cents: Mapped[int | None] = mapped_column(Cents)
    permits_cents: Mapped[int | None] = mapped_column(Cents)
    permits_source: Mapped[FigureSource] = mapped_column(
        string_enum(FigureSource), default=PLACEHOLDER
    )
    permits_synced_cents: Mapped[int | None] = mapped_column(Cents)
    disposal_cents: Mapped[int | None] = mapped_column(Cents)
    disposal_source: Mapped[FigureSource] = mapped_column(
        string_enum(FigureSource), default=PLACEHOLDER
    )
    disposal_synced_cents: Mapped[int | None] = mapped_column(Cents)
    equipment_cents: Mapped[int | None] = mapped_column(Cents)
    equipment_source: Mapped[FigureSource] = mapped_column(
        string_enum(FigureSource), default=PLACEHOLDER
    )
    equipment_synced_cents: Mapped[int | None] = mapped_column(Cents)
    other_cents: Mapped[int | None] = mapped_column(Cents)
    other_source: Mapped[FigureSource] = mapped_column(
        string_enum(FigureSource), default=PLACEHOLDER
    )
    other_synced_cents: Mapped[int | None] = mapped_column(Cents)

    # Which accounting system the costs' *_synced_cents came from (None before the first sync).
    books_source: Mapped[FigureSource | None] = mapped_column(string_enum(FigureSource))
    # What the books say of the job's invoices (None until an accounting system is synced).
    invoiced_cents: Mapped[int | None] = mapped_column(Cents)
    paid_cents: Mapped[int | None] = mapped_column(Cents)
    balance_cents: Mapped[int | None] = mapped_column(Cents)
    # Derived from the figures above (roofops.financials.figures.derive), kept so that lists,
    # sums and filters are plain SQL. Which margin applies is decided when reading (it depends
    # on the job's stage and the date): see figures.margin_kind.
    estimated_contract_cents: Mapped[int | None] = mapped_column(Cents)
    estimated_cost_cents: Mapped[int | None] = mapped_column(Cents)
    cost_to_date_cents: Mapped[int | None] = mapped_column(Cents)
    projected_revenue_cents: Mapped[int | None] = mapped_column(Cents)
    projected_cost_cents: Mapped[int | None] = mapped_column(Cents)
    projected_profit_cents: Mapped[int | None] = mapped_column(Cents)
    projected_margin: Mapped[Decimal | None] = mapped_column(sa.Numeric(9, 4))
    actual_revenue_cents: Mapped[int | None] = mapped_column(Cents)
    actual_profit_cents: Mapped[int | None] = mapped_column(Cents)
    actual_margin: Mapped[Decimal | None] = mapped_column(sa.Numeric(9, 4))
    last_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sync_status: Mapped[FinancialSyncStatus] = mapped_column(
        string_enum(FinancialSyncStatus), default=FinancialSyncStatus.NEVER
    )
    sync_error: Mapped[str] = mapped_column(sa.Text, default="")

    def amount(self, figure: str) -> int | None:
        value: int | None = getattr(self, f"{figure}_cents")
        return value

    def source(self, figure: str) -> FigureSource:
        value: FigureSource = getattr(self, f"{figure}_source")
        return value

    def margin(self, kind: MarginKind) -> Decimal | None:
        """The margin of that kind: actual for a final job, projected for an open one."""
        return {
            MarginKind.ACTUAL: self.actual_margin,
            MarginKind.PROJECTED: self.projected_margin,
        }.get(kind)


# The job columns the Profit summary groups, filters or decides a margin's kind by.
SUMMARISED_JOB_COLUMNS = (
    "stage",
    "stage_changed_at",
    "archived_at",
    "created_at",
    "job_type",
    "branch_id",
    "crew_id",
    "sales_rep",
)


@event.listens_for(Session, "before_flush")
def _touch_money_of_regrouped_jobs(session: Session, _flush: UOWTransaction, _: object) -> None:
    """A job whose stage, type, crew, ... changes moves its money row's ``updated_at`` too, so
    that the money's latest change (count and max, one indexed read) tells the Profit summary's
    cache whether any figure it sums may differ; an edit of a note leaves the cache warm."""
    regrouped = [
        job.id for job in session.dirty if isinstance(job, Job) and _summarised_columns_changed(job)
    ]
    if regrouped:
        session.execute(
            sa.update(JobFinancials)
            .where(JobFinancials.job_id.in_(regrouped))
            .values(updated_at=utcnow()),
            execution_options={"synchronize_session": False},
        )


def _summarised_columns_changed(job: Job) -> bool:
    attributes = sa.inspect(job).attrs
    return any(attributes[name].history.has_changes() for name in SUMMARISED_JOB_COLUMNS)


class JobFinancialSnapshot(UUIDPrimaryKey, Base):
    """A copy of a job's figures whenever they change: margin trends and what-changed-when."""

    __tablename__ = "job_financial_snapshots"
    __table_args__ = (sa.Index("ix_job_financial_snapshots_job_taken", "job_id", "taken_at"),)

    job_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("jobs.id", ondelete="CASCADE"))
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cause: Mapped[str] = mapped_column(sa.String(40))
    contract_cents: Mapped[int | None] = mapped_column(Cents)
    invoiced_cents: Mapped[int | None] = mapped_column(Cents)
    cost_to_date_cents: Mapped[int | None] = mapped_column(Cents)
    projected_margin: Mapped[Decimal | None] = mapped_column(sa.Numeric(9, 4))
    actual_margin: Mapped[Decimal | None] = mapped_column(sa.Numeric(9, 4))
    figures: Mapped[dict[str, Any]] = mapped_column(json_type(), default=dict)


class AccountingInvoice(UUIDPrimaryKey, Timestamps, Base):
    """An invoice in the accounting system that counts toward a job's contract amount."""

    __tablename__ = "accounting_invoices"
    __table_args__ = (sa.UniqueConstraint("provider", "external_id"),)

    provider: Mapped[Provider] = mapped_column(string_enum(Provider))
    external_id: Mapped[str] = mapped_column(sa.String(64))
    job_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("jobs.id", ondelete="SET NULL"), index=True
    )
    doc_number: Mapped[str] = mapped_column(sa.String(40), default="", index=True)
    customer_ref: Mapped[str] = mapped_column(sa.String(64), default="")
    txn_date: Mapped[date | None] = mapped_column(sa.Date)
    due_date: Mapped[date | None] = mapped_column(sa.Date)
    total_cents: Mapped[int] = mapped_column(Cents, default=0)
    balance_cents: Mapped[int] = mapped_column(Cents, default=0)
    status: Mapped[AccountingDocStatus] = mapped_column(string_enum(AccountingDocStatus))
    updated_remote_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AccountingPayment(UUIDPrimaryKey, Timestamps, Base):
    """A customer payment as the books hold it (QuickBooks Payment, Xero Payment), read back
    incrementally. What it paid is in its allocations: one payment may pay several invoices,
    split as the books split it. A payment deleted in the books keeps its row, marked deleted,
    with no allocations left."""

    __tablename__ = "accounting_payments"
    __table_args__ = (sa.UniqueConstraint("provider", "external_id"),)

    provider: Mapped[Provider] = mapped_column(string_enum(Provider))
    external_id: Mapped[str] = mapped_column(sa.String(64))
    txn_date: Mapped[date | None] = mapped_column(sa.Date, index=True)
    total_cents: Mapped[int] = mapped_column(Cents, default=0)
    # What the books hold on account: received but applied to no invoice yet.
    unapplied_cents: Mapped[int] = mapped_column(Cents, default=0)
    reference: Mapped[str] = mapped_column(sa.String(100), default="")
    customer_ref: Mapped[str] = mapped_column(sa.String(64), default="")
    deleted: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    updated_remote_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AccountingPaymentAllocation(UUIDPrimaryKey, Base):
    """The part of a payment the books applied to one invoice."""

    __tablename__ = "accounting_payment_allocations"
    __table_args__ = (sa.UniqueConstraint("payment_id", "invoice_external_id"),)

    payment_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("accounting_payments.id", ondelete="CASCADE"), index=True
    )
    # The books' id of the invoice paid (our Invoice.accounting_id once pushed, and
    # AccountingInvoice.external_id once synced).
    invoice_external_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    amount_cents: Mapped[int] = mapped_column(Cents)


class CostAllocation(StrEnum):
    """Where an expense line's cost goes."""

    JOB = "job"  # the line names one of our jobs' projects (or job classes)
    OVERHEAD = "overhead"  # the line names no customer and no class: the company's cost
    UNALLOCATED = "unallocated"  # the line names a customer or class that is none of our jobs


class CostLine(UUIDPrimaryKey, Timestamps, Base):
    """One expense line of the books (a bill, expense, check or card charge line): a job's
    cost, company overhead, or a cost the books allocate to something that is not our job."""

    __tablename__ = "cost_lines"
    __table_args__ = (
        sa.UniqueConstraint("provider", "txn_type", "txn_id", "line_id"),
        sa.Index("ix_cost_lines_job_id_category", "job_id", "category"),
        sa.Index("ix_cost_lines_allocation_txn_date", "allocation", "txn_date"),
        # A job's line has its job, and only a job's line has one.
        sa.CheckConstraint("(allocation = 'job') = (job_id IS NOT NULL)", name="job_allocation"),
    )

    provider: Mapped[Provider] = mapped_column(string_enum(Provider))
    txn_type: Mapped[str] = mapped_column(sa.String(20))
    txn_id: Mapped[str] = mapped_column(sa.String(64))
    line_id: Mapped[str] = mapped_column(sa.String(32))
    job_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("jobs.id", ondelete="CASCADE"))
    allocation: Mapped[CostAllocation] = mapped_column(
        string_enum(CostAllocation), default=CostAllocation.JOB
    )
    # The customer and/or class the books name on the line, as the books call them.
    allocated_to: Mapped[str] = mapped_column(sa.String(200), default="")
    category: Mapped[CostCategory] = mapped_column(string_enum(CostCategory))
    amount_cents: Mapped[int] = mapped_column(Cents)
    txn_date: Mapped[date | None] = mapped_column(sa.Date)
    vendor_name: Mapped[str] = mapped_column(sa.String(200), default="")
    account_name: Mapped[str] = mapped_column(sa.String(200), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")


class CostCategoryMapping(UUIDPrimaryKey, Timestamps, Base):
    """An expense account (or item) of the books -> our cost category; editable by finance."""

    __tablename__ = "cost_category_mappings"
    __table_args__ = (sa.UniqueConstraint("provider", "kind", "external_id"),)

    provider: Mapped[Provider] = mapped_column(string_enum(Provider))
    kind: Mapped[str] = mapped_column(sa.String(16), doc="account or item")
    external_id: Mapped[str] = mapped_column(sa.String(64))
    external_name: Mapped[str] = mapped_column(sa.String(200), default="")
    category: Mapped[CostCategory] = mapped_column(string_enum(CostCategory))
