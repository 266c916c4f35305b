"""Documents deleted in QuickBooks stop counting: through CDC's stubs, and through every read
of everything (full, nightly, CDC's window passed, CDC's cap hit), where they are simply absent."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from roofops.kit.money import to_cents
from roofops.models import (
    AccountingDocStatus,
    AccountingInvoice,
    CostLine,
    JobFinancials,
    SyncCursor,
    SyncKind,
    SyncRunError,
    SyncRunStatus,
)
from roofops.sandbox.quickbooks.books import FakeCompany, JobLedger
from roofops.sandbox.quickbooks.changes import change_jobs
from tests.integrations.quickbooks.conftest import REALM, Harness
from tests.integrations.quickbooks.ledgers import (
    expected_contract,
    expected_costs,
    figures,
    sync,
)


@dataclass(frozen=True)
class Deleted:
    number: str
    invoice_cents: int
    bill_cents: int  # what the bill cost the job
    invoice_id: str
    bill_id: str


def delete(qbo: Harness, entity: str, entity_id: str) -> None:
    """Deleted as a bookkeeper would: ``operation=delete`` over the API, with its SyncToken,
    a minute after the sync (outside its rate-limit window)."""
    qbo.sleep.monotonic.now += 61
    row = qbo.books.get(entity, entity_id) or {}
    answer = httpx.post(
        f"{qbo.url}/v3/company/{REALM}/{entity.lower()}",
        params={"operation": "delete"},
        json={"Id": entity_id, "SyncToken": row["SyncToken"]},
        headers={"Authorization": f"Bearer {qbo.token()}"},
    )
    assert answer.json()[entity]["status"] == "Deleted"


def delete_an_invoice_and_a_bill(qbo: Harness, books: FakeCompany) -> Deleted:
    number, ledger = next(
        (n, ledger) for n, ledger in books.jobs.items() if ledger.invoices and ledger.bills
    )
    invoice_id, bill_id = ledger.invoices[0], ledger.bills[0]
    invoice = qbo.books.get("Invoice", invoice_id) or {}
    deleted = Deleted(
        number,
        to_cents(Decimal(str(invoice["TotalAmt"]))),
        _job_cost(qbo, ledger, bill_id),
        invoice_id,
        bill_id,
    )
    assert deleted.invoice_cents > 0
    assert deleted.bill_cents > 0
    delete(qbo, "Invoice", invoice_id)
    delete(qbo, "Bill", bill_id)
    return deleted


def _job_cost(qbo: Harness, ledger: JobLedger, bill_id: str) -> int:
    lines = (qbo.books.get("Bill", bill_id) or {})["Line"]
    details = (
        (
            line["Amount"],
            line.get("AccountBasedExpenseLineDetail") or line.get("ItemBasedExpenseLineDetail"),
        )
        for line in lines
    )
    return to_cents(
        sum(
            (
                Decimal(str(amount))
                for amount, d in details
                if d["CustomerRef"]["value"] == ledger.project_id
            ),
            Decimal(0),
        )
    )


def _age_the_cursor(session_maker: sessionmaker[Session], days: int) -> None:
    """The last read happened ``days`` ago (on our clock)."""
    with session_maker.begin() as db:
        for cursor in db.scalars(sa.select(SyncCursor)):
            cursor.updated_at = cursor.updated_at - timedelta(days=days)


# Sets the scene; returns the kind of run to ask for and whether it must read everything.
Path = Callable[[Harness, FakeCompany, sessionmaker[Session]], tuple[SyncKind, bool]]


def through_cdc(
    qbo: Harness, books: FakeCompany, session_maker: sessionmaker[Session]
) -> tuple[SyncKind, bool]:
    return SyncKind.INCREMENTAL, False


def through_a_full_read(
    qbo: Harness, books: FakeCompany, session_maker: sessionmaker[Session]
) -> tuple[SyncKind, bool]:
    """``--full``, and the nightly reconciliation, which asks for a full read."""
    return SyncKind.FULL, True


def through_cdc_window_passed(
    qbo: Harness, books: FakeCompany, session_maker: sessionmaker[Session]
) -> tuple[SyncKind, bool]:
    _age_the_cursor(session_maker, 30)
    return SyncKind.INCREMENTAL, True


def through_cdc_cap(
    qbo: Harness, books: FakeCompany, session_maker: sessionmaker[Session]
) -> tuple[SyncKind, bool]:
    """A customer import fills CDC's 1,000-object cap before the deletions happen: CDC keeps
    the oldest changes, so its answer does not even hold their stubs."""
    for number in range(1000):
        books.books.add("Customer", {"DisplayName": f"Imported lead {number}"})
    return SyncKind.INCREMENTAL, True


def older_changes(qbo: Harness, books: FakeCompany) -> None:
    qbo.clock.advance(60)
    change_jobs(books, 3, seed=9)
    qbo.clock.advance(60)


@pytest.mark.parametrize(
    "path", [through_cdc, through_a_full_read, through_cdc_window_passed, through_cdc_cap]
)
def test_a_deleted_invoice_and_bill_stop_counting(
    path: Path,
    qbo: Harness,
    books: FakeCompany,
    session_maker: sessionmaker[Session],
    db: Session,
) -> None:
    sync(session_maker, qbo.client, full=True)
    older_changes(qbo, books)
    kind, reads_everything = path(qbo, books, session_maker)
    qbo.clock.advance(60)
    deleted = delete_an_invoice_and_a_bill(qbo, books)
    contract, cost = _money(figures(db, deleted.number))

    run = sync(session_maker, qbo.client, full=kind == SyncKind.FULL, kind=kind)

    assert run.status == SyncRunStatus.SUCCEEDED, run.error
    # CDC is one call (with the preferences' closing date, two); a full read pages through.
    assert (run.requests > 2) == reads_everything
    after = figures(db, deleted.number)
    ledger = books.jobs[deleted.number]
    assert after.invoiced_cents == expected_contract(books.books, ledger.invoices)
    assert after.invoiced_cents == contract - deleted.invoice_cents
    assert after.cost_to_date_cents == sum(
        expected_costs(books.books, books, deleted.number).values()
    )
    assert after.cost_to_date_cents == cost - deleted.bill_cents
    invoice = db.scalar(
        sa.select(AccountingInvoice).where(AccountingInvoice.external_id == deleted.invoice_id)
    )
    assert invoice is not None
    assert invoice.status == AccountingDocStatus.DELETED
    lines = sa.select(sa.func.count()).where(
        CostLine.txn_type == "Bill", CostLine.txn_id == deleted.bill_id
    )
    assert db.scalar(lines) == 0


def _money(row: JobFinancials) -> tuple[int, int]:
    assert row.invoiced_cents is not None
    assert row.cost_to_date_cents is not None
    return row.invoiced_cents, row.cost_to_date_cents


def test_a_read_cut_short_deletes_nothing_and_says_so(
    qbo: Harness, books: FakeCompany, session_maker: sessionmaker[Session], db: Session
) -> None:
    """A QuickBooks (or proxy) with a lower page cap than ours ends the read early: the rest
    of the books is not deleted, and the run says what it could not check."""
    sync(session_maker, qbo.client, full=True)
    counted = db.scalar(sa.select(sa.func.count()).select_from(AccountingInvoice))
    assert counted is not None
    assert counted > 20
    qbo.fake.queries.max_results = 20

    run = sync(session_maker, qbo.client, full=True, kind=SyncKind.FULL)

    assert run.status == SyncRunStatus.PARTIAL
    deleted = sa.select(sa.func.count()).where(
        AccountingInvoice.status == AccountingDocStatus.DELETED
    )
    assert db.scalar(deleted) == 0
    messages = db.scalars(
        sa.select(SyncRunError.message).where(SyncRunError.run_id == run.id)
    ).all()
    assert any(f"counts {counted:,} but returned 20" in message for message in messages)


def test_books_that_will_not_count_are_read_and_reconciled_all_the_same(
    qbo: Harness, books: FakeCompany, session_maker: sessionmaker[Session], db: Session
) -> None:
    """The count only guards against a short read; without it the read is trusted."""
    sync(session_maker, qbo.client, full=True)
    deleted = delete_an_invoice_and_a_bill(qbo, books)
    qbo.fake.queries.answers_counts = False

    run = sync(session_maker, qbo.client, full=True, kind=SyncKind.FULL)

    assert run.status == SyncRunStatus.SUCCEEDED, run.error
    ledger = books.jobs[deleted.number]
    assert figures(db, deleted.number).invoiced_cents == expected_contract(
        books.books, ledger.invoices
    )
