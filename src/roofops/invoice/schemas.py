"""JSON shapes for invoices. Money is dollars here, cents in the database."""

from __future__ import annotations

import datetime as dt
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from roofops.kit.schemas import (
    Dollars,
    DollarsFromCents,
    Email,
    IsoDate,
    OrmModel,
    decimal,
    text,
)
from roofops.models.enums import Provider
from roofops.models.invoice import InvoiceKind, InvoicePayer, InvoiceStatus, PushStatus

Percent = Annotated[
    Decimal,
    decimal(gt=0, le=100, max_digits=7, decimal_places=4),
    Field(description="a percentage of the contract, e.g. 30 for 30 %"),
]


class InvoiceGenerate(BaseModel):
    """One invoice of a job; which fields apply depends on the kind (docs/finance.md)."""

    model_config = ConfigDict(extra="forbid")

    job_id: uuid.UUID
    kind: InvoiceKind
    percent: Percent | None = Field(
        default=None,
        description="deposit (default: the deposit setting) or progress: a share of the contract",
    )
    amount: Dollars | None = Field(
        default=None,
        description="progress: the milestone's amount; supplement: the approved amount (dollars)",
    )
    description: Annotated[str, text(0, 300)] = Field(
        default="", description="progress: the milestone; supplement: what the carrier approved"
    )
    payer: InvoicePayer | None = Field(
        default=None,
        description="deposit, progress, final: homeowner (default) or financing; insurance kinds "
        "have their own payer (ACV, depreciation, supplement: the carrier; deductible: the "
        "homeowner)",
    )
    payer_name: Annotated[str, text(0, 200)] = Field(
        default="",
        description="required for a financing company; default: the customer's name or the "
        "job's insurance carrier",
    )
    issue_date: IsoDate | None = Field(
        default=None, description="default: today in the company's time zone"
    )
    memo: Annotated[str, text(0, 2000)] = ""


class InvoiceVoid(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, text(1, 2000)] = Field(description="why: kept with the invoice")


class InvoiceLineOut(OrmModel):
    position: int
    description: str
    quantity: Decimal
    unit_price: DollarsFromCents = Field(validation_alias="unit_price_cents")
    amount: DollarsFromCents = Field(validation_alias="amount_cents")


class InvoiceOut(OrmModel):
    id: uuid.UUID
    job_id: uuid.UUID
    number: str = Field(description="the job number, then <job number>-2, -3...: the DocNumber")
    kind: InvoiceKind
    payer_kind: InvoicePayer
    payer_name: str
    issue_date: date
    due_date: date
    memo: str
    total: DollarsFromCents = Field(validation_alias="total_cents")
    paid: DollarsFromCents = Field(validation_alias="paid_cents")
    outstanding: DollarsFromCents = Field(
        validation_alias="outstanding_cents", description="total less paid; 0 once void"
    )
    status: InvoiceStatus
    voided_at: datetime | None
    void_reason: str
    push_status: PushStatus = Field(description="what the accounting system knows of it")
    push_error: str = Field(description="the vendor's message when the push failed")
    accounting_provider: Provider | None
    accounting_id: str = Field(description="the accounting system's id once pushed")
    pushed_at: datetime | None
    sent_at: datetime | None = Field(description="when the invoice was last e-mailed")
    reminders_sent: int = Field(description="overdue reminders sent so far")
    last_reminder_at: datetime | None
    created_at: datetime
    updated_at: datetime
    lines: list[InvoiceLineOut]


class PayerBalanceOut(BaseModel):
    payer_kind: InvoicePayer
    invoices: int
    invoiced: Decimal
    paid: Decimal
    outstanding: Decimal


class JobInvoicingOut(BaseModel):
    job_id: uuid.UUID
    contract: Decimal | None = Field(description="the contract amount invoices are figured from")
    approved_supplements: Decimal
    ceiling: Decimal = Field(description="contract plus approved supplements: never exceeded")
    invoiced: Decimal = Field(description="every invoice not void")
    left_to_invoice: Decimal
    depreciation_held: Decimal | None = Field(
        description="insurance jobs: the depreciation not yet invoiced for release"
    )
    payers: list[PayerBalanceOut]


class InvoiceSend(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: Email | None = Field(
        default=None,
        description="where to send it; default: the customer's e-mail for a homeowner invoice "
        "(a carrier or financing invoice needs one)",
    )
    message: Annotated[str, text(0, 2000)] = Field(
        default="", description="the e-mail's opening paragraph, above the invoice's figures"
    )


class InvoiceSendQueued(BaseModel):
    invoice_id: uuid.UUID
    number: str
    to: str
    state: str = Field(
        default="queued",
        description="the e-mail goes out in the background: its outcome shows in "
        "GET /invoices/{id}/deliveries and in sent_at",
    )


class InvoiceDeliveryOut(BaseModel):
    at: datetime
    event: str = Field(
        description="send_requested, sent, send_failed, reminder_sent (recorded just before "
        "the reminder is handed to the mail server) or reminder_failed"
    )
    to: str
    error: str = Field(description="why it failed; empty otherwise")
    by: str = Field(description="who asked (a person) or roofops (the background work)")


class FiguredLineOut(BaseModel):
    description: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal


class InvoicePreviewOut(BaseModel):
    """What raising the invoice would write, figured the same way; nothing was written."""

    lines: list[FiguredLineOut]
    total: Decimal


class InvoiceTotalsOut(BaseModel):
    invoices: int = Field(description="how many invoices match the filters (all pages)")
    invoiced: Decimal = Field(description="the totals of the matching invoices that are not void")
    paid: Decimal = Field(description="what the payers have paid against them")
    outstanding: Decimal = Field(description="invoiced less paid")


class JobPaymentOut(OrmModel):
    """The part of one payment the books applied to one invoice of the job: a payment split
    over two invoices is two of these, with one ``payment_id``."""

    date: dt.date | None = Field(validation_alias="txn_date", description="the payment's date")
    amount: DollarsFromCents = Field(
        validation_alias="amount_cents", description="what the books applied to this invoice"
    )
    invoice_number: str = Field(
        description="our invoice number (the books' document number if roofops did not raise it)"
    )
    payer_kind: InvoicePayer | None = Field(
        description="the invoice's payer; null for an invoice only the books hold"
    )
    reference: str = Field(description="the books' payment reference (cheque or transfer no.)")
    source: Provider = Field(description="the accounting system the payment was read from")
    payment_id: str = Field(description="the accounting system's id of the payment")
