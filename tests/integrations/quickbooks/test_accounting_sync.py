"""Job figures from the fake QuickBooks over real HTTP, into the real (rolled-back) database."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from roofops.auth.principal import SYSTEM
from roofops.financials.books import BooksUpdate
from roofops.financials.service import financials_service
from roofops.integrations.quickbooks.client import THROTTLE_WINDOW
from roofops.models import (
    AccountingInvoice,
    CostLine,
    FigureSource,
    JobFinancialSnapshot,
    SyncKind,
    SyncRun,
    SyncRunStatus,
)
from roofops.sandbox.quickbooks.books import FakeCompany
from roofops.sandbox.quickbooks.changes import change_jobs
from tests.integrations.quickbooks.conftest import Harness
from tests.integrations.quickbooks.ledgers import (
    all_figures,
    expected_contract,
    expected_costs,
    figures,
    sync,
)


def test_full_sync_brings_contracts_and_categorized_costs(
    qbo: Harness, books: FakeCompany, session_maker: sessionmaker[Session], db: Session
) -> None:
    run = sync(session_maker, qbo.client, full=True, kind=SyncKind.FULL)

    assert run.status == SyncRunStatus.SUCCEEDED, run.error
    multi = [n for n, ledger in books.jobs.items() if len(ledger.invoices) > 1]
    single = [n for n, ledger in books.jobs.items() if len(ledger.invoices) == 1]
    assert multi
    assert single
    for number in (multi[0], single[0]):
        row = figures(db, number)
        assert row.invoiced_cents == expected_contract(books.books, books.jobs[number].invoices)
        assert row.contract_source != FigureSource.QUICKBOOKS  # the signed price is not the books'
        for category, cents in expected_costs(books.books, books, number).items():
            assert row.amount(category) == cents, category
            assert row.source(category) == FigureSource.QUICKBOOKS
        assert row.cost_to_date_cents == sum(expected_costs(books.books, books, number).values())
        assert row.projected_margin is not None


def test_incremental_sync_reads_only_changes(
    qbo: Harness, books: FakeCompany, session_maker: sessionmaker[Session], db: Session
) -> None:
    sync(session_maker, qbo.client, full=True)
    qbo.clock.advance(60)
    changed = change_jobs(books, 5, seed=3)

    run = sync(session_maker, qbo.client)

    assert run.status == SyncRunStatus.SUCCEEDED, run.error
    assert run.requests <= 5
    for number in changed:
        row = figures(db, number)
        assert row.invoiced_cents == expected_contract(books.books, books.jobs[number].invoices)


def test_a_manual_figure_survives_syncs_until_cleared(
    qbo: Harness, books: FakeCompany, session_maker: sessionmaker[Session], db: Session
) -> None:
    sync(session_maker, qbo.client, full=True)
    number = next(iter(books.jobs))
    job_id = figures(db, number).job_id
    financials_service.set_manual(
        db, SYSTEM, job_id, figure="materials", cents=4_242_00, reason="supplier credit pending"
    )
    db.commit()

    sync(session_maker, qbo.client, full=True)

    row = figures(db, number)
    assert (row.materials_cents, row.materials_source) == (4_242_00, FigureSource.MANUAL)
    books_amount = expected_costs(books.books, books, number)["materials"]
    assert row.materials_synced_cents == books_amount
    financials_service.clear_manual(db, SYSTEM, job_id, figure="materials", reason="in QB now")
    db.commit()
    row = figures(db, number)
    assert (row.materials_cents, row.materials_source) == (books_amount, FigureSource.QUICKBOOKS)


def test_a_failed_sync_leaves_the_last_good_figures(
    qbo: Harness, books: FakeCompany, session_maker: sessionmaker[Session], db: Session
) -> None:
    sync(session_maker, qbo.client, full=True)
    before = all_figures(db)
    invoices_before = db.scalar(sa.select(sa.func.count()).select_from(AccountingInvoice))
    change_jobs(books, 5, seed=4)
    qbo.fake.faults.server_errors = 50  # QuickBooks down for longer than the retries

    run = sync(session_maker, qbo.client, full=True)

    assert run.status == SyncRunStatus.FAILED
    assert run.error
    db.expire_all()
    assert all_figures(db) == before
    assert db.scalar(sa.select(sa.func.count()).select_from(AccountingInvoice)) == invoices_before


def test_throttling_and_server_errors_are_ridden_out(
    qbo: Harness, books: FakeCompany, session_maker: sessionmaker[Session]
) -> None:
    qbo.fake.faults.throttle, qbo.fake.faults.throttle_format = 2, "xml"
    qbo.fake.faults.server_errors = 2
    # Only the injected faults: a full read's ~20 queries inside one second of the test's
    # still clock would also meet the fake's own 10-a-second limit.
    qbo.fake.limits.enabled = False

    run = sync(session_maker, qbo.client, full=True)

    assert run.status == SyncRunStatus.SUCCEEDED, run.error
    # QuickBooks sends no Retry-After: jittered waits within its one-minute window.
    assert len(qbo.sleep.delays) == 4
    assert all(0 < delay <= THROTTLE_WINDOW for delay in qbo.sleep.delays)


def test_a_voided_invoice_drops_out_of_what_was_invoiced(
    qbo: Harness, books: FakeCompany, session_maker: sessionmaker[Session], db: Session
) -> None:
    sync(session_maker, qbo.client, full=True)
    # An open invoice (QuickBooks refuses to void one with a payment applied).
    number, ledger, first = next(
        (number, ledger, invoice)
        for number, ledger in books.jobs.items()
        for invoice_id in ledger.invoices
        if (invoice := books.books.get("Invoice", invoice_id))
        and not ledger.payments
        and invoice.get("TotalAmt", 0) > 0
    )
    before = figures(db, number).invoiced_cents
    qbo.clock.advance(60)
    books.books.void_invoice(first["Id"], sync_token=first["SyncToken"])

    sync(session_maker, qbo.client)

    after = figures(db, number).invoiced_cents
    assert after == expected_contract(books.books, ledger.invoices)
    assert after is not None
    assert before is not None
    assert after < before


class Killed(BaseException):
    """Stands for the process dying mid-write: nothing in the sync catches it."""


def test_a_killed_sync_writes_nothing_and_a_rerun_equals_a_clean_run(
    qbo: Harness,
    books: FakeCompany,
    session_maker: sessionmaker[Session],
    db: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    counts_before = _document_counts(db)
    real_finish = BooksUpdate.finish

    def die_after_the_documents(self: BooksUpdate, synced_at: Any) -> int:
        raise Killed

    monkeypatch.setattr(BooksUpdate, "finish", die_after_the_documents)
    with pytest.raises(Killed):
        sync(session_maker, qbo.client, full=True)
    db.expire_all()
    assert _document_counts(db) == counts_before  # the documents written so far rolled back

    monkeypatch.setattr(BooksUpdate, "finish", real_finish)
    _age_running_runs(session_maker)
    rerun = sync(session_maker, qbo.client, full=True)
    after_rerun = _document_counts(db)
    again = sync(session_maker, qbo.client, full=True)  # a retry of a finished sync

    assert rerun.status == again.status == SyncRunStatus.SUCCEEDED
    assert _document_counts(db) == after_rerun  # no duplicates, no new snapshots


def _document_counts(db: Session) -> tuple[int, ...]:
    return tuple(
        db.scalar(sa.select(sa.func.count()).select_from(model)) or 0
        for model in (AccountingInvoice, CostLine, JobFinancialSnapshot)
    )


def _age_running_runs(session_maker: sessionmaker[Session]) -> None:
    """The killed process stopped beating; let the dead-run window pass."""
    with session_maker.begin() as db:
        for run in db.scalars(sa.select(SyncRun).where(SyncRun.status == "running")):
            run.heartbeat_at = run.heartbeat_at - timedelta(hours=1)


def test_timeouts_are_retried(
    qbo: Harness, books: FakeCompany, session_maker: sessionmaker[Session]
) -> None:
    qbo.fake.faults.slow, qbo.fake.faults.slow_seconds = 1, 2.0

    run = sync(session_maker, lambda: qbo.client(timeout=0.5), full=True)

    assert run.status == SyncRunStatus.SUCCEEDED, run.error


def test_a_cost_can_be_allocated_to_a_job_through_its_class(
    qbo: Harness, books: FakeCompany, session_maker: sessionmaker[Session], db: Session
) -> None:
    """Companies that track jobs as classes: a line with no project but the job's class."""
    sync(session_maker, qbo.client, full=True)
    number = next(iter(books.jobs))
    before = figures(db, number).permits_cents or 0
    job_class = books.books.add("Class", {"Name": f"{number} Permit work"})
    permits = next(row for row in books.books.rows("Account") if row["Name"] == "Permits")
    vendor = books.books.rows("Vendor")[0]
    line = {
        "Amount": 275.0,
        "DetailType": "AccountBasedExpenseLineDetail",
        "AccountBasedExpenseLineDetail": {
            "AccountRef": {"value": permits["Id"]},
            "ClassRef": {"value": job_class["Id"]},
        },
    }
    books.books.add("Bill", {"VendorRef": {"value": vendor["Id"]}, "Line": [line]})

    sync(session_maker, qbo.client)

    assert figures(db, number).permits_cents == before + 275_00
