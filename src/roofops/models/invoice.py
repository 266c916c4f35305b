"""Invoices we raise for a job, one per payer and purpose, numbered after the job.

An invoice is never deleted: a mistake is voided with a reason and a new one is raised. The push
state says what the accounting system knows of it (pushing comes later: nothing here calls a
vendor). What the kinds mean and how each amount is figured: docs/finance.md.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from roofops.kit.types import Cents, StrEnum, UTCDateTime, string_enum
from roofops.models.base import Base, Timestamps, UUIDPrimaryKey
from roofops.models.enums import Provider
from roofops.models.job import Job


class InvoiceKind(StrEnum):
    DEPOSIT = "deposit"
    PROGRESS = "progress"
    FINAL = "final"
    INSURANCE_ACV = "insurance_acv"  # the carrier's first cheque: RCV - depreciation - deductible
    DEDUCTIBLE = "deductible"  # the homeowner's share of an insurance job
    DEPRECIATION_RELEASE = "depreciation_release"  # the held depreciation, after completion
    SUPPLEMENT = "supplement"  # scope the carrier approved beyond the original estimate


class InvoicePayer(StrEnum):
    HOMEOWNER = "homeowner"
    INSURANCE_CARRIER = "insurance_carrier"
    FINANCING = "financing"


class InvoiceStatus(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    OVERDUE = "overdue"
    VOID = "void"


class PushStatus(StrEnum):
    """What the accounting system knows of the invoice."""

    NOT_PUSHED = "not_pushed"
    PENDING = "pending"
    PUSHED = "pushed"
    FAILED = "failed"  # push_error holds the vendor's message


class Invoice(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "invoices"
    __table_args__ = (
        sa.UniqueConstraint("job_id", "sequence"),
        sa.Index("ix_invoices_created_at_id", "created_at", "id"),
        sa.CheckConstraint("total_cents >= 0", name="total_not_negative"),
        sa.CheckConstraint("paid_cents >= 0", name="paid_not_negative"),
        sa.CheckConstraint("sequence >= 1", name="sequence_positive"),
    )

    job_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("jobs.id"), index=True)
    # The job's n-th invoice (voided ones count too: a number is never given twice).
    sequence: Mapped[int] = mapped_column(sa.Integer)
    # The job number for the first, then "<job number>-<n>": the accounting DocNumber.
    number: Mapped[str] = mapped_column(sa.String(40), unique=True)
    kind: Mapped[InvoiceKind] = mapped_column(string_enum(InvoiceKind), index=True)
    payer_kind: Mapped[InvoicePayer] = mapped_column(string_enum(InvoicePayer), index=True)
    payer_name: Mapped[str] = mapped_column(sa.String(200))
    issue_date: Mapped[date] = mapped_column(sa.Date)
    due_date: Mapped[date] = mapped_column(sa.Date, index=True)
    memo: Mapped[str] = mapped_column(sa.Text, default="")
    total_cents: Mapped[int] = mapped_column(Cents)
    paid_cents: Mapped[int] = mapped_column(Cents, default=0)
    status: Mapped[InvoiceStatus] = mapped_column(
        string_enum(InvoiceStatus), default=InvoiceStatus.DRAFT, index=True
    )
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    void_reason: Mapped[str] = mapped_column(sa.Text, default="")

    push_status: Mapped[PushStatus] = mapped_column(
        string_enum(PushStatus), default=PushStatus.NOT_PUSHED
    )
    push_error: Mapped[str] = mapped_column(sa.Text, default="")
    accounting_provider: Mapped[Provider | None] = mapped_column(string_enum(Provider))
    accounting_id: Mapped[str] = mapped_column(sa.String(64), default="")
    pushed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # How many times a push was asked for (each retry reuses the invoice's idempotency key).
    push_attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    push_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminders_sent: Mapped[int] = mapped_column(sa.Integer, default=0)
    last_reminder_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    job: Mapped[Job] = relationship(lazy="raise")
    lines: Mapped[list[InvoiceLine]] = relationship(
        back_populates="invoice",
        lazy="raise",
        order_by="InvoiceLine.position",
        cascade="all, delete-orphan",
    )

    @property
    def outstanding_cents(self) -> int:
        return 0 if self.status == InvoiceStatus.VOID else self.total_cents - self.paid_cents


class InvoiceLine(UUIDPrimaryKey, Base):
    __tablename__ = "invoice_lines"
    __table_args__ = (sa.UniqueConstraint("invoice_id", "position"),)

    invoice_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("invoices.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(sa.Integer)
    description: Mapped[str] = mapped_column(sa.String(500))
    quantity: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2))
    unit_price_cents: Mapped[int] = mapped_column(Cents)
    amount_cents: Mapped[int] = mapped_column(Cents)

    invoice: Mapped[Invoice] = relationship(back_populates="lines", lazy="raise")
