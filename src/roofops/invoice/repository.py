"""Queries for invoices, and the job figures invoicing reads."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from roofops.kit.paging import Page, PageRequest, SortSpec
from roofops.kit.repository import Repository
from roofops.models.enums import FigureSource
from roofops.models.financials import JobFinancials
from roofops.models.invoice import (
    Invoice,
    InvoiceKind,
    InvoicePayer,
    InvoiceStatus,
    PushStatus,
)
from roofops.models.job import Job


@dataclass(frozen=True)
class InvoiceFilters:
    job_id: uuid.UUID | None = None
    status: InvoiceStatus | None = None
    payer_kind: InvoicePayer | None = None
    kind: InvoiceKind | None = None


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

    def for_push(self, invoice_id: uuid.UUID, *, lock: bool = False) -> Invoice | None:
        """The invoice with its lines, its job and the job's customer."""
        statement = (
            sa.select(Invoice)
            .options(
                joinedload(Invoice.job, innerjoin=True).joinedload(Job.customer, innerjoin=True),
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

    def of_job(self, job_id: uuid.UUID) -> list[Invoice]:
        """Every invoice of the job, voided ones too, in the order they were raised."""
        return list(
            self.session.scalars(
                sa.select(Invoice).where(Invoice.job_id == job_id).order_by(Invoice.sequence)
            )
        )

    def id_numbered(self, number: str) -> uuid.UUID | None:
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
        (Invoice.status, filters.status),
        (Invoice.payer_kind, filters.payer_kind),
        (Invoice.kind, filters.kind),
    ]
    return [column == value for column, value in equal if value is not None]
