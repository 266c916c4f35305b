"""Queries for invoices, and the job figures invoicing reads."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from roofops.invoice.status import FALLING_DUE
from roofops.kit.paging import Page, PageRequest, SortSpec
from roofops.kit.repository import Repository
from roofops.kit.search import matches_any
from roofops.models.customer import Customer
from roofops.models.enums import FigureSource
from roofops.models.financials import JobFinancials
from roofops.models.invoice import Invoice, InvoiceKind, InvoicePayer, InvoiceStatus
from roofops.models.job import Job


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
        statement = (
            sa.select(Invoice)
            .options(
                joinedload(Invoice.job, innerjoin=True).joinedload(Job.property, innerjoin=True),
                selectinload(Invoice.lines),
            )
            .where(Invoice.id == invoice_id)
        )
        if lock:  # fresh values under the lock
            statement = statement.with_for_update(of=Invoice).execution_options(
                populate_existing=True
            )
        return self.session.scalar(statement)

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
        row = self.session.execute(
            sa.select(JobFinancials.contract_cents, JobFinancials.contract_source).where(
                JobFinancials.job_id == job_id
            )
        ).first()
        if row is None or row.contract_source == FigureSource.PLACEHOLDER:
            return None
        cents: int | None = row.contract_cents
        return cents


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
