"""What the payments-back tests of both providers share: a retail job with two invoices we
raised (and sent), and how the database sees them after a sync."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roofops.auth.principal import Principal
from roofops.invoice.schemas import InvoiceGenerate
from roofops.invoice.service import invoice_service
from roofops.invoice.status import refresh_status
from roofops.kit.time import utcnow
from roofops.models import ActorType, InvoiceKind, JobStage, Role
from roofops.models.audit import AuditLog
from roofops.models.enums import AccountingDocStatus, Provider
from roofops.models.financials import (
    AccountingInvoice,
    AccountingPayment,
    AccountingPaymentAllocation,
)
from roofops.models.invoice import Invoice, InvoiceStatus
from tests.factories import make_job

JOB_NUMBER = "5003"
CONTRACT = 1_845_000  # $18,450.00
DEPOSIT, PROGRESS = 553_500, 738_000  # 30 % and 40 %: "5003" and "5003-2"
FINANCE = Principal(None, "finance@example.com", "Fin", Role.FINANCE, ActorType.USER)


@dataclass(frozen=True)
class Raised:
    job_id: uuid.UUID
    deposit: uuid.UUID  # number 5003
    progress: uuid.UUID  # number 5003-2


def raise_and_send(db: Session) -> Raised:
    """The job and its deposit and progress invoices, sent to the homeowner (committed)."""
    job = make_job(db, number=JOB_NUMBER, stage=JobStage.CONTRACT_SIGNED, contract_cents=CONTRACT)
    ids = []
    for kind, percent in ((InvoiceKind.DEPOSIT, 30), (InvoiceKind.PROGRESS, 40)):
        milestone = "Dry-in" if kind == InvoiceKind.PROGRESS else ""
        body = InvoiceGenerate(
            job_id=job.id, kind=kind, percent=Decimal(percent), description=milestone
        )
        invoice = invoice_service.generate(db, FINANCE, body)
        invoice.sent_at = utcnow()
        refresh_status(invoice, invoice.issue_date)
        ids.append(invoice.id)
    db.commit()
    assert [db.get_one(Invoice, i).total_cents for i in ids] == [DEPOSIT, PROGRESS]
    return Raised(job.id, *ids)


def paid(db: Session, invoice_id: uuid.UUID) -> tuple[int, InvoiceStatus]:
    db.expire_all()
    invoice = db.get_one(Invoice, invoice_id)
    return invoice.paid_cents, invoice.status


def link_of(db: Session, invoice_id: uuid.UUID) -> tuple[object, str]:
    invoice = db.get_one(Invoice, invoice_id)
    return invoice.accounting_provider, invoice.accounting_id


def split_of(db: Session, external_id: str) -> dict[str, int]:
    """The allocations stored for one payment: the books' invoice id -> cents."""
    db.expire_all()
    rows = db.execute(
        sa.select(
            AccountingPaymentAllocation.invoice_external_id,
            AccountingPaymentAllocation.amount_cents,
        )
        .join(AccountingPayment, AccountingPayment.id == AccountingPaymentAllocation.payment_id)
        .where(AccountingPayment.external_id == external_id)
    )
    return {str(invoice_id): int(cents) for invoice_id, cents in rows}


def payment_row(db: Session, external_id: str) -> AccountingPayment:
    db.expire_all()
    row = db.scalar(
        sa.select(AccountingPayment).where(AccountingPayment.external_id == external_id)
    )
    assert row is not None
    return row


def settled_by(db: Session, invoice_id: uuid.UUID) -> list[AuditLog]:
    return list(
        db.scalars(
            sa.select(AuditLog)
            .where(
                AuditLog.entity_id == str(invoice_id), AuditLog.action == "invoice.paid_from_books"
            )
            .order_by(AuditLog.occurred_at)
        )
    )


def books_hold(db: Session, raised: Raised) -> dict[str, str]:
    """As a QuickBooks sync leaves them: the books' copies of our two invoices (linked), one
    payment split over both (cheque 2231) and a deposit-only one; the books' ids by number."""
    ids = {"5003": "301", "5003-2": "302"}
    for invoice_id, number, total in (
        (raised.deposit, "5003", DEPOSIT),
        (raised.progress, "5003-2", PROGRESS),
    ):
        db.add(
            AccountingInvoice(
                provider=Provider.QUICKBOOKS,
                external_id=ids[number],
                job_id=raised.job_id,
                doc_number=number,
                total_cents=total,
                balance_cents=0,
                status=AccountingDocStatus.OPEN,
            )
        )
        invoice = db.get_one(Invoice, invoice_id)
        invoice.accounting_provider, invoice.accounting_id = Provider.QUICKBOOKS, ids[number]
    _payment(
        db, "901", date(2025, 6, 2), "2231", [(ids["5003"], 300_000), (ids["5003-2"], 200_000)]
    )
    _payment(db, "902", date(2025, 6, 9), "", [(ids["5003"], 253_500)])
    db.commit()
    return ids


def _payment(
    db: Session, external_id: str, day: date, reference: str, split: list[tuple[str, int]]
) -> None:
    payment = AccountingPayment(
        provider=Provider.QUICKBOOKS,
        external_id=external_id,
        txn_date=day,
        total_cents=sum(cents for _, cents in split),
        reference=reference,
    )
    db.add(payment)
    db.flush()
    db.add_all(
        AccountingPaymentAllocation(payment_id=payment.id, invoice_external_id=i, amount_cents=c)
        for i, c in split
    )
