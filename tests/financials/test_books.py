"""Financials' write API for what the books say: reconciling a full read, and company costs."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from roofops.financials.books import BookAccount, BookCostLine, BookInvoice, books_service
from roofops.models import (
    AccountingDocStatus,
    AccountingInvoice,
    CostCategory,
    CostLine,
    JobFinancials,
    Provider,
)
from roofops.models.financials import CostAllocation
from tests.factories import make_job

QBO = Provider.QUICKBOOKS
SEEN = datetime(2025, 6, 2, 15, 0, tzinfo=UTC)
MATERIALS = ("account", "5000")
JOB, OVERHEAD, UNALLOCATED = CostAllocation.JOB, CostAllocation.OVERHEAD, CostAllocation.UNALLOCATED


def _invoice(external_id: str, job_id: uuid.UUID, cents: int) -> BookInvoice:
    return BookInvoice(
        external_id=external_id,
        job_id=job_id,
        doc_number=external_id,
        customer_ref="58",
        txn_date=date(2025, 6, 1),
        total_cents=cents,
        balance_cents=cents,
        status=AccountingDocStatus.OPEN,
        updated_at=SEEN,
    )


def _line(
    txn_id: str,
    cents: int,
    *,
    job_id: uuid.UUID | None = None,
    allocation: CostAllocation = JOB,
    day: date | None = date(2025, 6, 1),
) -> BookCostLine:
    return BookCostLine(
        txn_type="Bill",
        txn_id=txn_id,
        line_id="1",
        job_id=job_id,
        allocation=allocation,
        allocated_to="" if allocation == OVERHEAD else "customer 'Pat Smith' (Id 58)",
        mapping=MATERIALS,
        amount_cents=cents,
        txn_date=day,
        vendor_name="ABC Supply Co.",
        description="",
    )


def _write(db: Session, invoices: list[BookInvoice], lines: list[BookCostLine]) -> None:
    update = books_service.update(db, QBO)
    update.categorize([BookAccount(MATERIALS, "Materials", CostCategory.MATERIALS)])
    update.record_invoices(invoices)
    update.replace_cost_lines({"Bill": sorted({line.txn_id for line in lines})}, lines)
    update.finish(SEEN)


def _figures(db: Session, job_id: uuid.UUID) -> tuple[int | None, int | None]:
    db.expire_all()
    row = db.get(JobFinancials, job_id)
    assert row is not None
    return row.invoiced_cents, row.materials_cents


def test_a_full_read_that_no_longer_holds_a_document_removes_it(db: Session) -> None:
    job = make_job(db)
    _write(
        db,
        [_invoice("1", job.id, 10_000_00), _invoice("2", job.id, 2_000_00)],
        [_line("7", 3_000_00, job_id=job.id), _line("8", 500_00, job_id=job.id)],
    )
    assert _figures(db, job.id) == (12_000_00, 3_500_00)

    update = books_service.update(db, QBO)
    update.reconcile({"1"}, {"Bill": {"7"}})
    update.finish(SEEN)

    assert _figures(db, job.id) == (10_000_00, 3_000_00)
    assert update.counts.removed == 2
    assert _status(db, "2") == AccountingDocStatus.DELETED


def test_a_reconcile_leaves_what_was_not_read_whole(db: Session) -> None:
    job = make_job(db)
    _write(db, [_invoice("1", job.id, 10_000_00)], [_line("7", 3_000_00, job_id=job.id)])

    update = books_service.update(db, QBO)
    update.reconcile(None, {})
    update.finish(SEEN)

    assert _figures(db, job.id) == (10_000_00, 3_000_00)


def test_an_invoice_marked_deleted_comes_back_when_the_books_return_it(db: Session) -> None:
    job = make_job(db)
    _write(db, [_invoice("1", job.id, 10_000_00)], [])
    update = books_service.update(db, QBO)
    update.remove(["1"], {})
    update.finish(SEEN)
    assert _figures(db, job.id)[0] == 0

    _write(db, [_invoice("1", job.id, 10_000_00)], [])  # the same version as before

    assert _status(db, "1") == AccountingDocStatus.OPEN
    assert _figures(db, job.id)[0] == 10_000_00


def _status(db: Session, external_id: str) -> AccountingDocStatus | None:
    db.expire_all()
    return db.scalar(
        sa.select(AccountingInvoice.status).where(AccountingInvoice.external_id == external_id)
    )


def test_only_a_jobs_lines_count_toward_the_job(db: Session) -> None:
    job = make_job(db)

    _write(
        db,
        [],
        [
            _line("7", 3_000_00, job_id=job.id),
            _line("8", 800_00, allocation=OVERHEAD),
            _line("9", 150_00, allocation=UNALLOCATED),
        ],
    )

    assert _figures(db, job.id)[1] == 3_000_00
    company = books_service.company_costs(db)
    assert (company.overhead_cents, company.unallocated_cents) == (800_00, 150_00)
    assert [(t.category, t.lines) for t in company.overhead] == [(CostCategory.MATERIALS, 1)]


def test_overhead_counts_only_on_a_cost_account(db: Session) -> None:
    """A check to the owner's draw names no job either, but it is not a cost."""
    draw = replace(_line("9", 2_500_00, allocation=OVERHEAD), mapping=("account", "3000"))

    _write(db, [], [_line("8", 800_00, allocation=OVERHEAD), draw])

    assert books_service.company_costs(db).overhead_cents == 800_00
    assert db.scalar(sa.select(sa.func.count()).where(CostLine.txn_id == "9")) == 0


def test_company_costs_of_a_period_include_both_ends(db: Session) -> None:
    _write(
        db,
        [],
        [
            _line("1", 100_00, allocation=OVERHEAD, day=date(2025, 4, 30)),
            _line("2", 200_00, allocation=OVERHEAD, day=date(2025, 5, 1)),
            _line("3", 300_00, allocation=OVERHEAD, day=date(2025, 5, 31)),
            _line("4", 400_00, allocation=OVERHEAD, day=None),
        ],
    )

    may = books_service.company_costs(db, since=date(2025, 5, 1), until=date(2025, 5, 31))

    assert may.overhead_cents == 500_00
    assert books_service.company_costs(db).overhead_cents == 1_000_00


def test_a_job_line_needs_its_job_and_only_a_job_line_has_one(db: Session) -> None:
    job = make_job(db)
    with pytest.raises(ValueError, match="job"):
        _line("7", 100_00, allocation=JOB)
    with pytest.raises(ValueError, match="job"):
        _line("7", 100_00, job_id=job.id, allocation=OVERHEAD)
    with pytest.raises(IntegrityError), db.begin_nested():  # the table says so too
        db.execute(
            sa.insert(CostLine).values(
                provider=QBO,
                txn_type="Bill",
                txn_id="7",
                line_id="1",
                job_id=None,
                allocation=JOB,
                category=CostCategory.OTHER,
                amount_cents=100,
                created_at=SEEN,
                updated_at=SEEN,
            )
        )
