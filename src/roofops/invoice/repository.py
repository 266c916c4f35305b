"""Queries for invoices, and the job figures invoicing reads."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import QueryableAttribute, Session, joinedload, selectinload

from roofops.invoice.status import FALLING_DUE
from roofops.kit.paging import Page, PageRequest, SortSpec
from roofops.kit.repository import Repository
from roofops.kit.search import matches_any
from roofops.models.customer import Customer
from roofops.models.enums import AccountingDocStatus, FigureSource, Provider
from roofops.models.financials import (
    AccountingInvoice,
    AccountingPayment,
    AccountingPaymentAllocation,
    JobFinancials,
)
from roofops.models.invoice import (
    Invoice,
    InvoiceKind,
    InvoicePayer,
    InvoiceStatus,
    PushStatus,
)
from roofops.models.job import Job

# The books' invoices that still stand (voided and deleted ones say nothing of payment).
BOOKS_LIVE = (AccountingDocStatus.OPEN, AccountingDocStatus.PAID)


@dataclass(frozen=True)
class InvoiceFilters:
    job_id: uuid.UUID | None = None
    status: InvoiceStatus | None = None
    payer_kind: InvoicePayer | None = None
    kind: InvoiceKind | None = None
    q: str | None = None  # the invoice or job number, or the payer's name
    issued_from: date | None = None
    issued_to: date | None = None
    # The company's today: with it a status filter follows roofops.invoice.status (a sent
    # invoice past its due date is overdue even before the sweep records it).
    today: date | None = None


@dataclass(frozen=True)
class InvoiceTotals:
    invoices: int
    invoiced_cents: int  # void invoices count for nothing
    paid_cents: int
    outstanding_cents: int


class InvoiceRepository(Repository[Invoice]):
    model = Invoice

    def full(self, invoice_id: uuid.UUID, *, lock: bool = False) -> Invoice | None:
        """The invoice with its lines, its job and the job's property (its page, its PDF)."""
        return self._with_lines(invoice_id, Job.property, lock=lock)

    def for_push(self, invoice_id: uuid.UUID, *, lock: bool = False) -> Invoice | None:
        """The invoice with its lines, its job and the job's customer."""
        return self._with_lines(invoice_id, Job.customer, lock=lock)

    def _with_lines(
        self, invoice_id: uuid.UUID, of_job: QueryableAttribute[Any], *, lock: bool
    ) -> Invoice | None:
        statement = (
            sa.select(Invoice)
            .options(
                joinedload(Invoice.job, innerjoin=True).joinedload(of_job, innerjoin=True),
                selectinload(Invoice.lines),
            )
            .where(Invoice.id == invoice_id)
        )
        if lock:  # fresh values under the lock
            statement = statement.with_for_update(of=Invoice).execution_options(
                populate_existing=True
            )
        return self.session.scalar(statement)

    def awaiting_push(self) -> list[uuid.UUID]:
        return list(
            self.session.scalars(
                sa.select(Invoice.id)
                .where(
                    Invoice.push_status.in_([PushStatus.NOT_PUSHED, PushStatus.FAILED]),
                    Invoice.status != InvoiceStatus.VOID,
                )
                .order_by(Invoice.created_at, Invoice.id)
            )
        )

    def search(self, filters: InvoiceFilters, page: PageRequest, sort: SortSpec) -> Page[Invoice]:
        statement = (
            sa.select(Invoice)
            .options(joinedload(Invoice.job, innerjoin=True), selectinload(Invoice.lines))
            .where(*_conditions(filters))
        )
        return self.paginate(statement, page, sort)

    def every(self, filters: InvoiceFilters, sort: SortSpec) -> list[Invoice]:
        """Every matching invoice with its job, in the list's order (for an export)."""
        column = getattr(Invoice, sort.field)
        order = (column.desc(), Invoice.id.desc()) if sort.descending else (column, Invoice.id)
        statement = (
            sa.select(Invoice)
            .options(joinedload(Invoice.job, innerjoin=True))
            .where(*_conditions(filters))
            .order_by(*order)
        )
        return list(self.session.scalars(statement))

    def totals(self, filters: InvoiceFilters) -> InvoiceTotals:
        live = Invoice.status != InvoiceStatus.VOID
        row = self.session.execute(
            sa.select(
                sa.func.count(),
                sa.func.coalesce(sa.func.sum(sa.case((live, Invoice.total_cents), else_=0)), 0),
                sa.func.coalesce(sa.func.sum(Invoice.paid_cents), 0),
                sa.func.coalesce(
                    sa.func.sum(sa.case((live, Invoice.total_cents - Invoice.paid_cents), else_=0)),
                    0,
                ),
            ).where(*_conditions(filters))
        ).one()
        return InvoiceTotals(*(int(value) for value in row))

    def of_job(self, job_id: uuid.UUID) -> list[Invoice]:
        """Every invoice of the job, voided ones too, in the order they were raised."""
        return list(
            self.session.scalars(
                sa.select(Invoice).where(Invoice.job_id == job_id).order_by(Invoice.sequence)
            )
        )

    def with_status(
        self, statuses: Sequence[InvoiceStatus], *, lock: bool = False
    ) -> list[Invoice]:
        statement = sa.select(Invoice).where(Invoice.status.in_(statuses))
        if lock:  # fresh values under the lock
            statement = statement.with_for_update().execution_options(populate_existing=True)
        return list(self.session.scalars(statement))

    def reminder_candidates(self, steps: int, due_on_or_before: date) -> list[uuid.UUID]:
        """Overdue invoices that have a reminder step left and are late enough for the first
        one; oldest due first, so a sweep cut short reaches the longest overdue."""
        return list(
            self.session.scalars(
                sa.select(Invoice.id)
                .where(
                    Invoice.status == InvoiceStatus.OVERDUE,
                    Invoice.reminders_sent < steps,
                    Invoice.due_date <= due_on_or_before,
                )
                .order_by(Invoice.due_date, Invoice.id)
            )
        )

    def customer_of(self, job_id: uuid.UUID) -> Customer:
        return self.session.scalars(
            sa.select(Customer).join(Job, Job.customer_id == Customer.id).where(Job.id == job_id)
        ).one()

    def id_by_number(self, number: str) -> uuid.UUID | None:
        found: uuid.UUID | None = self.session.scalar(
            sa.select(Invoice.id).where(Invoice.number == number)
        )
        return found

    def number_taken(self, number: str) -> bool:
        return (
            self.session.scalar(sa.select(Invoice.id).where(Invoice.number == number)) is not None
        )

    def job(self, job_id: uuid.UUID, *, lock: bool = False) -> Job | None:
        """The job with its customer; ``lock`` serialises invoicing of one job (numbers, the
        ceiling)."""
        customer = joinedload(Job.customer, innerjoin=True)
        if not lock:  # the job a page has loaded already comes from the session, no query
            return self.session.get(Job, job_id, options=[customer])
        statement = sa.select(Job).options(customer).where(Job.id == job_id)
        # Fresh values under the lock.
        statement = statement.with_for_update(of=Job).execution_options(populate_existing=True)
        return self.session.scalar(statement)

    def contract_in_force(self, job_id: uuid.UUID) -> int | None:
        """The contract amount the Profit page uses (a finance override included), unless it is
        only a placeholder estimate: nobody is invoiced from an estimate."""
        # The job page has loaded the row for its money section already: no second query.
        money = self.session.get(JobFinancials, job_id)
        if money is None or money.contract_source == FigureSource.PLACEHOLDER:
            return None
        return money.contract_cents


def _conditions(filters: InvoiceFilters) -> list[sa.ColumnElement[bool]]:
    equal = [
        (Invoice.job_id, filters.job_id),
        (Invoice.payer_kind, filters.payer_kind),
        (Invoice.kind, filters.kind),
    ]
    conditions = [column == value for column, value in equal if value is not None]
    if filters.status is not None:
        conditions.append(_status_is(filters.status, filters.today))
    if filters.q:
        conditions.append(_matches(filters.q))
    if filters.issued_from is not None:
        conditions.append(Invoice.issue_date >= filters.issued_from)
    if filters.issued_to is not None:
        conditions.append(Invoice.issue_date <= filters.issued_to)
    return conditions


def _status_is(status: InvoiceStatus, today: date | None) -> sa.ColumnElement[bool]:
    """roofops.invoice.status.status_on as SQL: a sent or partly paid invoice past its due date
    counts as overdue (and no longer as sent) before the sweep records it."""
    if today is None:
        return Invoice.status == status
    past_due = sa.and_(Invoice.status.in_(FALLING_DUE), Invoice.due_date < today)
    if status == InvoiceStatus.OVERDUE:
        return sa.or_(Invoice.status == status, past_due)
    if status in FALLING_DUE:
        return sa.and_(Invoice.status == status, Invoice.due_date >= today)
    return Invoice.status == status


def _matches(q: str) -> sa.ColumnElement[bool]:
    """The invoice number (so the job number and its -2, -3...) or the payer's name."""
    return matches_any(q, Invoice.number, Invoice.payer_name)


def books_paid_cents() -> sa.ColumnElement[int]:
    """What the books say was paid of our invoice: its total less the books' balance, kept
    within 0..total (a books invoice edited above ours, or a credit, never overpays ours)."""
    paid = Invoice.total_cents - AccountingInvoice.balance_cents
    return sa.case((paid < 0, 0), (paid > Invoice.total_cents, Invoice.total_cents), else_=paid)


class BooksMatchRepository:
    """Our invoices beside the books' copies of them."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def out_of_line(self, provider: Provider) -> list[tuple[Invoice, AccountingInvoice]]:
        """Our live invoices the books hold (by the link a push or an earlier sync left, else
        by number) whose paid amount differs from the books', or whose link is not kept yet.

        Two reads, each joined on an indexed key (the books' id; the books' number), rather
        than one join on either: an OR in the join condition reads every pair."""
        linked = self._held(
            provider,
            sa.and_(
                Invoice.accounting_provider == provider,
                Invoice.accounting_id == AccountingInvoice.external_id,
            ),
            Invoice.paid_cents != books_paid_cents(),
        )
        unlinked = self._held(
            provider,
            Invoice.number == AccountingInvoice.doc_number,
            Invoice.accounting_id == "",
        )
        return linked + unlinked

    def _held(
        self, provider: Provider, match: sa.ColumnElement[bool], wanted: sa.ColumnElement[bool]
    ) -> list[tuple[Invoice, AccountingInvoice]]:
        statement = (
            sa.select(Invoice, AccountingInvoice)
            .join(
                AccountingInvoice,
                sa.and_(
                    match,
                    AccountingInvoice.provider == provider,
                    AccountingInvoice.status.in_(BOOKS_LIVE),
                ),
            )
            .where(Invoice.status != InvoiceStatus.VOID, wanted)
            .order_by(Invoice.id, AccountingInvoice.updated_remote_at.desc())
            # Under the row locks a send and the sweep take (fresh values): a send that lands
            # meanwhile is waited for, and the status is figured from what it wrote.
            .with_for_update(of=Invoice)
            .execution_options(populate_existing=True)
        )
        found: dict[uuid.UUID, tuple[Invoice, AccountingInvoice]] = {}
        for invoice, books in self.session.execute(statement):
            found.setdefault(invoice.id, (invoice, books))  # a number twice: the newest
        return list(found.values())

    def job_payments(self, job_id: uuid.UUID) -> list[sa.Row[tuple[Any, ...]]]:
        """Every part of a payment the books applied to one of the job's invoices (ours, or
        one only the books hold), oldest first."""
        allocation, payment = AccountingPaymentAllocation, AccountingPayment
        statement = (
            sa.select(
                payment.txn_date,
                allocation.amount_cents,
                payment.reference,
                payment.provider,
                Invoice.number,
                Invoice.payer_kind,
                AccountingInvoice.doc_number,
                payment.external_id,
            )
            .join(payment, payment.id == allocation.payment_id)
            .join(
                AccountingInvoice,
                sa.and_(
                    AccountingInvoice.provider == payment.provider,
                    AccountingInvoice.external_id == allocation.invoice_external_id,
                ),
            )
            .outerjoin(
                Invoice,
                sa.and_(
                    Invoice.accounting_provider == payment.provider,
                    Invoice.accounting_id == allocation.invoice_external_id,
                ),
            )
            .where(
                payment.deleted.is_(False),
                sa.or_(AccountingInvoice.job_id == job_id, Invoice.job_id == job_id),
            )
            .order_by(payment.txn_date, payment.external_id, AccountingInvoice.doc_number)
        )
        return list(self.session.execute(statement))
