"""What the financial reports read: the books' invoices and payments of the connected
provider, our own invoices the books do not hold yet, and the insurance jobs' depreciation.

Rows come back as plain tuples of the few columns a report needs; the service groups them by
month, payer or job in Python, where a month or an age in days is the same on every database.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roofops.models.enums import AccountingDocStatus, JobStage, PayerKind, Provider
from roofops.models.financials import (
    AccountingInvoice,
    AccountingPayment,
    AccountingPaymentAllocation,
)
from roofops.models.integration import HOLDS_THE_BOOKS, IntegrationConnection
from roofops.models.invoice import Invoice, InvoiceKind, InvoiceStatus
from roofops.models.job import Job
from roofops.report.receivable import Receivable

BOOKS_PROVIDERS = (Provider.QUICKBOOKS, Provider.XERO)
# Voided and deleted documents count nowhere.
COUNTED = (AccountingDocStatus.OPEN, AccountingDocStatus.PAID)
# Ours that count: issued (a draft is owed by nobody yet) and not void.
NOT_COUNTED_OURS = (InvoiceStatus.VOID, InvoiceStatus.DRAFT)
OTHER_PAYER = "other"  # a books invoice roofops did not raise


class FinanceReportRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def books_provider(self) -> Provider | None:
        """The accounting system the company keeps its books in (one at a time), if any."""
        return self.session.scalar(
            sa.select(IntegrationConnection.provider).where(
                IntegrationConnection.provider.in_(BOOKS_PROVIDERS),
                IntegrationConnection.status.in_(HOLDS_THE_BOOKS),
            )
        )

    def receivables(self, books: Provider | None) -> list[Receivable]:
        ours = self._ours_not_in_books(books)
        return ours if books is None else [*self._books_invoices(books), *ours]

    def _books_invoices(self, books: Provider) -> list[Receivable]:
        raised = self._raised_by_us(books)
        statement = sa.select(
            AccountingInvoice.doc_number,
            AccountingInvoice.job_id,
            sa.select(Invoice.payer_kind).where(raised).limit(1).scalar_subquery(),
            sa.select(Invoice.kind).where(raised).limit(1).scalar_subquery(),
            AccountingInvoice.txn_date,
            sa.func.coalesce(AccountingInvoice.due_date, AccountingInvoice.txn_date),
            AccountingInvoice.total_cents,
            AccountingInvoice.balance_cents,
        ).where(AccountingInvoice.provider == books, AccountingInvoice.status.in_(COUNTED))
        return [
            Receivable(
                "books", number, job_id, payer or OTHER_PAYER, kind or "", dated, due, total, open_
            )
            for number, job_id, payer, kind, dated, due, total, open_ in self.session.execute(
                statement
            )
        ]

    @staticmethod
    def _raised_by_us(books: Provider) -> sa.ColumnElement[bool]:
        """Our invoice that a books invoice is: pushed as it, or carrying its number."""
        pushed_as = sa.and_(
            Invoice.accounting_provider == books,
            Invoice.accounting_id == AccountingInvoice.external_id,
        )
        return sa.or_(pushed_as, Invoice.number == AccountingInvoice.doc_number)

    def _ours_not_in_books(self, books: Provider | None) -> list[Receivable]:
        statement = sa.select(
            Invoice.number,
            Invoice.job_id,
            Invoice.payer_kind,
            Invoice.kind,
            Invoice.issue_date,
            Invoice.due_date,
            Invoice.total_cents,
            Invoice.paid_cents,
        ).where(Invoice.status.not_in(NOT_COUNTED_OURS))
        if books is not None:
            statement = statement.where(~_in_the_books(books))
        return [
            Receivable(
                "roofops", number, job_id, payer.value, kind.value, dated, due, total, total - paid
            )
            for number, job_id, payer, kind, dated, due, total, paid in self.session.execute(
                statement
            )
        ]

    def collections(self, books: Provider | None, start: date, end: date) -> list[Collected]:
        """Per payment date in [start, end): what the books' payments applied to invoices and
        what they left on account. Deleted payments count nowhere."""
        if books is None:
            return []
        applied = (
            sa.select(sa.func.coalesce(sa.func.sum(AccountingPaymentAllocation.amount_cents), 0))
            .where(AccountingPaymentAllocation.payment_id == AccountingPayment.id)
            .scalar_subquery()
        )
        statement = (
            sa.select(
                AccountingPayment.txn_date,
                sa.func.sum(applied),
                sa.func.sum(AccountingPayment.unapplied_cents),
            )
            .where(
                AccountingPayment.provider == books,
                AccountingPayment.deleted.is_(False),
                AccountingPayment.txn_date >= start,
                AccountingPayment.txn_date < end,
            )
            .group_by(AccountingPayment.txn_date)
        )
        return [
            Collected(day, int(applied_cents or 0), int(unapplied or 0))
            for day, applied_cents, unapplied in self.session.execute(statement)
        ]

    def insurance_jobs(self) -> list[Job]:
        """Insurance jobs with depreciation held by the carrier, not lost or cancelled (a paid
        job may still wait for its depreciation)."""
        return list(
            self.session.scalars(
                sa.select(Job)
                .where(
                    Job.payer == PayerKind.INSURANCE,
                    Job.depreciation_held_cents > 0,
                    Job.archived_at.is_(None),
                    Job.stage.not_in([JobStage.LOST, JobStage.CANCELLED]),
                )
                .order_by(Job.number)
            )
        )

    def released(self, job_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
        """The number of each job's depreciation release invoice (not void), by job."""
        if not job_ids:
            return {}
        rows = self.session.execute(
            sa.select(Invoice.job_id, Invoice.number).where(
                Invoice.job_id.in_(job_ids),
                Invoice.kind == InvoiceKind.DEPRECIATION_RELEASE,
                Invoice.status != InvoiceStatus.VOID,
            )
        )
        return dict(rows.all())


@dataclass(frozen=True)
class Collected:
    day: date
    applied_cents: int
    unapplied_cents: int


def _in_the_books(books: Provider) -> sa.ColumnElement[bool]:
    """A books invoice of these books is it (pushed as it, or carrying its number). One pushed
    but not read back by a sync yet is still counted as ours: it is owed either way."""
    pushed_as = sa.and_(
        Invoice.accounting_provider == books,
        Invoice.accounting_id == AccountingInvoice.external_id,
    )
    return (
        sa.exists()
        .where(
            AccountingInvoice.provider == books,
            sa.or_(pushed_as, AccountingInvoice.doc_number == Invoice.number),
        )
        .correlate(Invoice)
    )
