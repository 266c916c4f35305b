"""Queries of job money: current figures, snapshots, accounting documents and cost lines."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roofops.kit.paging import Page, PageRequest
from roofops.kit.repository import in_chunks
from roofops.models.company import PriceListEntry
from roofops.models.customer import Customer
from roofops.models.enums import AccountingDocStatus, CostCategory, JobType, Material, Provider
from roofops.models.financials import (
    AccountingInvoice,
    CostAllocation,
    CostCategoryMapping,
    CostLine,
    JobFinancials,
    JobFinancialSnapshot,
)
from roofops.models.job import Job


@dataclass(frozen=True)
class ProfitFilters:
    branch_id: uuid.UUID | None = None
    crew_id: uuid.UUID | None = None
    job_type: JobType | None = None
    sales_rep: str | None = None
    since: date | None = None
    until: date | None = None
    margin_below: Decimal | None = None
    q: str | None = None


# An invoice counts toward the contract unless it was voided or deleted in the books.
COUNTED_STATUSES = (AccountingDocStatus.OPEN, AccountingDocStatus.PAID)


class FinancialsRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def for_jobs(self, job_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, JobFinancials]:
        found: dict[uuid.UUID, JobFinancials] = {}
        for chunk in in_chunks(job_ids):
            rows = self.session.scalars(
                sa.select(JobFinancials).where(JobFinancials.job_id.in_(chunk))
            )
            found.update((row.job_id, row) for row in rows)
        return found

    def get(self, job_id: uuid.UUID, *, lock: bool = False) -> JobFinancials | None:
        statement = sa.select(JobFinancials).where(JobFinancials.job_id == job_id)
        return self.session.scalar(statement.with_for_update() if lock else statement)

    def jobs_without_financials(self) -> list[Job]:
        missing = ~sa.exists().where(JobFinancials.job_id == Job.id)
        return list(self.session.scalars(sa.select(Job).where(missing)))

    def jobs(self, job_ids: Iterable[uuid.UUID]) -> list[Job]:
        rows: list[Job] = []
        for chunk in in_chunks(job_ids):
            rows.extend(self.session.scalars(sa.select(Job).where(Job.id.in_(chunk))))
        return rows

    def job_ids_by_number(self, numbers: Iterable[str]) -> dict[str, uuid.UUID]:
        found: dict[str, uuid.UUID] = {}
        for chunk in in_chunks(numbers):
            rows = self.session.execute(sa.select(Job.number, Job.id).where(Job.number.in_(chunk)))
            found.update((row.number, row.id) for row in rows)
        return found

    def prices(self) -> dict[tuple[JobType, Material], int]:
        rows = self.session.scalars(sa.select(PriceListEntry))
        return {(row.job_type, row.material): row.price_per_square_cents for row in rows}

    def add_all(self, rows: Sequence[object]) -> None:
        self.session.add_all(rows)
        self.session.flush()

    def add_snapshots(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            self.session.execute(sa.insert(JobFinancialSnapshot), list(rows))

    def history(self, job_id: uuid.UUID, limit: int = 100) -> list[JobFinancialSnapshot]:
        return list(
            self.session.scalars(
                sa.select(JobFinancialSnapshot)
                .where(JobFinancialSnapshot.job_id == job_id)
                .order_by(JobFinancialSnapshot.taken_at.desc())
                .limit(limit)
            )
        )

    def page(self, filters: ProfitFilters, request: PageRequest) -> Page[tuple[Job, JobFinancials]]:
        statement = self._filtered(filters)
        total = self.session.scalar(
            sa.select(sa.func.count()).select_from(statement.order_by(None).subquery())
        )
        rows = self.session.execute(
            statement.order_by(Job.created_at.desc(), Job.id)
            .offset(request.offset)
            .limit(request.size)
        ).all()
        items = [(row[0], row[1]) for row in rows]
        return Page(items=items, total=total or 0, page=request.page, size=request.size)

    def all_rows(self, filters: ProfitFilters) -> list[tuple[Job, JobFinancials]]:
        rows = self.session.execute(self._filtered(filters).order_by(Job.created_at, Job.id))
        return [(row[0], row[1]) for row in rows]

    def _filtered(self, filters: ProfitFilters) -> sa.Select[Job, JobFinancials]:
        statement = (
            sa.select(Job, JobFinancials)
            .join(JobFinancials, JobFinancials.job_id == Job.id)
            .where(Job.archived_at.is_(None))
        )
        return statement.where(*_conditions(filters))


def _conditions(filters: ProfitFilters) -> list[sa.ColumnElement[bool]]:
    equal: list[tuple[Any, object]] = [
        (Job.branch_id, filters.branch_id),
        (Job.crew_id, filters.crew_id),
        (Job.job_type, filters.job_type),
        (Job.sales_rep, filters.sales_rep),
    ]
    conditions = [column == value for column, value in equal if value is not None]
    if filters.since is not None:
        conditions.append(Job.created_at >= _midnight(filters.since))
    if filters.until is not None:
        conditions.append(Job.created_at < _midnight(filters.until))
    if filters.margin_below is not None:
        conditions.append(JobFinancials.margin < filters.margin_below)
    if filters.q:
        pattern = f"%{filters.q.strip()}%"
        named = sa.select(Customer.id).where(Customer.display_name.ilike(pattern))
        conditions.append(
            sa.or_(Job.number.ilike(pattern), Job.name.ilike(pattern), Job.customer_id.in_(named))
        )
    return conditions


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


class AccountingDocumentRepository:
    """Mirrored invoices and cost lines, replaced per accounting transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def invoices(
        self, provider: Provider, external_ids: Iterable[str]
    ) -> dict[str, AccountingInvoice]:
        found: dict[str, AccountingInvoice] = {}
        for chunk in in_chunks(external_ids):
            rows = self.session.scalars(
                sa.select(AccountingInvoice).where(
                    AccountingInvoice.provider == provider,
                    AccountingInvoice.external_id.in_(chunk),
                )
            )
            found.update((row.external_id, row) for row in rows)
        return found

    def live_invoice_ids(self, provider: Provider) -> set[str]:
        """The external ids of every invoice not (yet) known to be deleted in the books."""
        return set(
            self.session.scalars(
                sa.select(AccountingInvoice.external_id).where(
                    AccountingInvoice.provider == provider,
                    AccountingInvoice.status != AccountingDocStatus.DELETED,
                )
            )
        )

    def cost_txn_ids(self, provider: Provider, txn_type: str) -> set[str]:
        """The transactions of this type that have stored lines."""
        return set(
            self.session.scalars(
                sa.select(CostLine.txn_id)
                .where(CostLine.provider == provider, CostLine.txn_type == txn_type)
                .distinct()
            )
        )

    def add(self, row: object) -> None:
        self.session.add(row)

    def drop_cost_lines(
        self, provider: Provider, txn_type: str, txn_ids: Iterable[str]
    ) -> set[uuid.UUID]:
        """Deletes the lines of these transactions; returns the jobs they were allocated to."""
        jobs: set[uuid.UUID] = set()
        for chunk in in_chunks(txn_ids):
            of_these = (
                CostLine.provider == provider,
                CostLine.txn_type == txn_type,
                CostLine.txn_id.in_(chunk),
            )
            allocated = self.session.scalars(sa.select(CostLine.job_id).where(*of_these))
            jobs.update(job_id for job_id in allocated if job_id is not None)
            self.session.execute(sa.delete(CostLine).where(*of_these))
        return jobs

    def insert_cost_lines(self, rows: Sequence[dict[str, Any]]) -> None:
        """One multi-row INSERT per batch: a full sync writes tens of thousands of lines."""
        if rows:
            self.session.execute(sa.insert(CostLine), list(rows))

    def delete(self, row: object) -> None:
        self.session.delete(row)

    def contract_totals(self, job_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, int]:
        """Sum of the invoices that count (not voided or deleted) per job."""
        found: dict[uuid.UUID, int] = {}
        for chunk in in_chunks(job_ids):
            rows = self.session.execute(
                sa.select(AccountingInvoice.job_id, sa.func.sum(AccountingInvoice.total_cents))
                .where(
                    AccountingInvoice.job_id.in_(chunk),
                    AccountingInvoice.status.in_(COUNTED_STATUSES),
                )
                .group_by(AccountingInvoice.job_id)
            )
            found.update((job_id, int(total)) for job_id, total in rows if job_id is not None)
        return found

    def cost_totals(self, job_ids: Iterable[uuid.UUID]) -> dict[tuple[uuid.UUID, str], int]:
        found: dict[tuple[uuid.UUID, str], int] = {}
        for chunk in in_chunks(job_ids):
            rows = self.session.execute(
                sa.select(CostLine.job_id, CostLine.category, sa.func.sum(CostLine.amount_cents))
                .where(CostLine.job_id.in_(chunk), CostLine.allocation == CostAllocation.JOB)
                .group_by(CostLine.job_id, CostLine.category)
            )
            found.update(
                ((job_id, category.value), int(total))
                for job_id, category, total in rows
                if job_id is not None
            )
        return found

    def jobs_with_documents(self, job_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        found: set[uuid.UUID] = set()
        for chunk in in_chunks(job_ids):
            found.update(
                self.session.scalars(
                    sa.select(AccountingInvoice.job_id).where(AccountingInvoice.job_id.in_(chunk))
                )
            )
            found.update(
                self.session.scalars(sa.select(CostLine.job_id).where(CostLine.job_id.in_(chunk)))
            )
        return found

    def cost_lines(self, job_id: uuid.UUID) -> list[CostLine]:
        return list(
            self.session.scalars(
                sa.select(CostLine).where(CostLine.job_id == job_id).order_by(CostLine.txn_date)
            )
        )

    def job_invoices(self, job_id: uuid.UUID) -> list[AccountingInvoice]:
        return list(
            self.session.scalars(
                sa.select(AccountingInvoice)
                .where(AccountingInvoice.job_id == job_id)
                .order_by(AccountingInvoice.doc_number)
            )
        )


@dataclass(frozen=True)
class CostTotal:
    allocation: CostAllocation
    category: CostCategory
    cents: int
    lines: int


class CompanyCostRepository:
    """The books' costs that are no job's: company overhead and lines allocated elsewhere."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def totals(self, since: date | None, until: date | None) -> list[CostTotal]:
        """Sums and line counts by allocation and category, of lines dated ``since`` to
        ``until`` (both included; a bound leaves out undated lines)."""
        statement = (
            sa.select(
                CostLine.allocation,
                CostLine.category,
                sa.func.sum(CostLine.amount_cents),
                sa.func.count(),
            )
            .where(CostLine.allocation != CostAllocation.JOB)
            .group_by(CostLine.allocation, CostLine.category)
            .order_by(CostLine.allocation, CostLine.category)
        )
        if since is not None:
            statement = statement.where(CostLine.txn_date >= since)
        if until is not None:
            statement = statement.where(CostLine.txn_date <= until)
        return [
            CostTotal(allocation, category, int(cents), int(lines))
            for allocation, category, cents, lines in self.session.execute(statement)
        ]


class CostMappingRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def all(self, provider: Provider) -> list[CostCategoryMapping]:
        return list(
            self.session.scalars(
                sa.select(CostCategoryMapping)
                .where(CostCategoryMapping.provider == provider)
                .order_by(CostCategoryMapping.kind, CostCategoryMapping.external_name)
            )
        )

    def get(self, mapping_id: uuid.UUID) -> CostCategoryMapping | None:
        return self.session.get(CostCategoryMapping, mapping_id)

    def find(self, provider: Provider, kind: str, external_id: str) -> CostCategoryMapping | None:
        return self.session.scalar(
            sa.select(CostCategoryMapping).where(
                CostCategoryMapping.provider == provider,
                CostCategoryMapping.kind == kind,
                CostCategoryMapping.external_id == external_id,
            )
        )

    def add(self, row: CostCategoryMapping) -> None:
        self.session.add(row)
        self.session.flush()
