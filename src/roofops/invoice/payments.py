"""What the books say our invoices were paid, and what each payer of a job has paid.

Paid status flows back from the books, also for payments entered only there: after each books
sync, every one of our invoices that the books hold (by the link a push or an earlier sync
left, else by our number being the books' document number) takes ``paid = total - the books'
balance``. The balance already nets payments, credit notes and deleted payments, so one
subtraction covers them all. The status then follows the one rule (roofops.invoice.status).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from roofops.audit.service import audit_service, change
from roofops.auth.principal import Principal
from roofops.company.service import company_service
from roofops.exceptions import NotFound
from roofops.invoice.repository import BooksMatchRepository, InvoiceRepository
from roofops.invoice.status import refresh_status
from roofops.models.enums import Provider
from roofops.models.financials import AccountingInvoice
from roofops.models.invoice import Invoice, InvoicePayer

SETTLED_ACTION = "invoice.paid_from_books"


@dataclass(frozen=True)
class JobPayment:
    """The part of one payment the books applied to one invoice of the job."""

    txn_date: date | None
    amount_cents: int
    invoice_number: str  # ours, or the books' document number when we did not raise it
    payer_kind: InvoicePayer | None  # None: an invoice only the books hold
    reference: str  # the books' reference (QuickBooks PaymentRefNum, Xero Reference)
    source: Provider
    payment_id: str  # the books' id of the payment: a split shows twice with one id


class InvoicePaymentsService:
    def settle_from_books(self, db: Session, provider: Provider, actor: Principal) -> int:
        """Every invoice of ours that the books hold takes their paid amount; returns how many
        changed. Each change is audited with ``actor`` (the sync)."""
        today = _company_today(db)
        pairs = BooksMatchRepository(db).out_of_line(provider)
        return sum(_settle(db, invoice, books, today, actor) for invoice, books in pairs)

    def job_payments(self, db: Session, job_id: uuid.UUID) -> list[JobPayment]:
        """Each part of a payment the books applied to one of the job's invoices."""
        if InvoiceRepository(db).job(job_id) is None:
            raise NotFound("no such job")
        return [
            JobPayment(
                txn_date=row.txn_date,
                amount_cents=row.amount_cents,
                invoice_number=row.number or row.doc_number,
                payer_kind=row.payer_kind,
                reference=row.reference,
                source=row.provider,
                payment_id=row.external_id,
            )
            for row in BooksMatchRepository(db).job_payments(job_id)
        ]


def _settle(
    db: Session,
    invoice: Invoice,
    books: AccountingInvoice,
    today: date,
    actor: Principal,
) -> bool:
    changes: dict[str, dict[str, object]] = {}
    if not invoice.accounting_id:  # found by number: keep the link, so it sticks
        invoice.accounting_provider, invoice.accounting_id = books.provider, books.external_id
        changes["accounting_id"] = change("", books.external_id)
    paid = min(max(invoice.total_cents - books.balance_cents, 0), invoice.total_cents)
    if paid != invoice.paid_cents:
        changes["paid"] = change(_dollars(invoice.paid_cents), _dollars(paid))
        invoice.paid_cents = paid
    old_status = invoice.status
    if refresh_status(invoice, today):
        changes["status"] = change(old_status, invoice.status)
    if changes:
        audit_service.record(
            db,
            actor,
            action=SETTLED_ACTION,
            entity_type="invoice",
            entity_id=invoice.id,
            changes=changes,
            reason=f"the books' balance of {books.doc_number} is {_dollars(books.balance_cents)}",
        )
    return bool(changes)


def _dollars(cents: int) -> Decimal:
    return Decimal(cents) / 100


def _company_today(db: Session) -> date:
    return datetime.now(ZoneInfo(company_service.get(db).time_zone)).date()


invoice_payments_service = InvoicePaymentsService()
