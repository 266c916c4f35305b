"""Where each expense line's cost goes: a job (even through an inactive project), the company's
overhead, or reported as unallocated; never silently dropped."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from roofops.financials.books import books_service
from roofops.kit.money import to_cents
from roofops.models import CostLine, SyncKind, SyncRunError, SyncRunStatus
from roofops.models.financials import CostAllocation
from roofops.sandbox.quickbooks.books import FakeCompany
from tests.integrations.quickbooks.conftest import Harness
from tests.integrations.quickbooks.ledgers import expected_costs, figures, sync


def _account(books: FakeCompany, name: str) -> dict[str, Any]:
    return {"value": books.setup.accounts[name], "name": name}


def _line(amount: str, account: dict[str, Any], **refs: dict[str, Any]) -> dict[str, Any]:
    return {
        "Amount": Decimal(amount),
        "DetailType": "AccountBasedExpenseLineDetail",
        "AccountBasedExpenseLineDetail": {"AccountRef": account, **refs},
    }


def _ref(row: dict[str, Any], name_field: str = "DisplayName") -> dict[str, Any]:
    return {"value": row["Id"], "name": row[name_field]}


def test_an_inactive_project_still_takes_its_bills(
    qbo: Harness, books: FakeCompany, session_maker: sessionmaker[Session], db: Session
) -> None:
    """Contractors make a finished job's project inactive; the first read after connecting
    still has to find it, or its bills would belong to no job."""
    number, ledger = next((n, ledger) for n, ledger in books.jobs.items() if ledger.bills)
    books.books.replace("Customer", ledger.project_id, {"Active": False})

    run = sync(session_maker, qbo.client, full=True, kind=SyncKind.FULL)

    assert run.status == SyncRunStatus.SUCCEEDED, run.error
    costs = expected_costs(books.books, books, number)
    assert costs
    row = figures(db, number)
    for category, cents in costs.items():
        assert row.amount(category) == cents, category
    assert books_service.company_costs(db).unallocated_lines == 0


def test_lines_no_job_takes_are_kept_reported_and_counted_apart(
    qbo: Harness, books: FakeCompany, session_maker: sessionmaker[Session], db: Session
) -> None:
    sync(session_maker, qbo.client, full=True)
    number, ledger = next(iter(books.jobs.items()))
    before = figures(db, number).cost_to_date_cents
    book = books.books
    parent = book.get(
        "Customer", (book.get("Customer", ledger.project_id) or {})["ParentRef"]["value"]
    )
    assert parent is not None
    stranger = book.add("Customer", {"DisplayName": "99999 Not Ours - Re-roof", "Job": True})
    branch = book.rows("Class")[0]
    materials = _account(books, "Materials")
    bill = book.add(
        "Bill",
        {
            "VendorRef": _ref(book.rows("Vendor")[0]),
            "TxnDate": "2025-06-02",
            "Line": [
                _line(
                    "410.00", materials, CustomerRef=_ref(parent)
                ),  # the customer, not the project
                _line("95.50", materials, ClassRef=_ref(branch, "Name")),  # a branch class
                _line("1200.00", materials, CustomerRef=_ref(stranger)),  # a job we do not have
                _line("300.00", _account(books, "Rent or Lease")),  # overhead
                _line("5000.00", _account(books, "Accounts Payable (A/P)")),  # not a cost at all
            ],
        },
    )

    run = sync(session_maker, qbo.client)

    assert (run.status, run.failed) == (SyncRunStatus.SUCCEEDED, 0), run.error
    reports = db.scalars(
        sa.select(SyncRunError)
        .where(SyncRunError.run_id == run.id)
        .order_by(SyncRunError.external_id)
    ).all()
    assert [(r.record_type, r.external_id) for r in reports] == [
        ("cost line", f"Bill {bill['Id']} line 1"),
        ("cost line", f"Bill {bill['Id']} line 2"),
        ("cost line", f"Bill {bill['Id']} line 3"),
    ]
    first, second, third = (report.message for report in reports)
    assert f"customer {parent['DisplayName']!r}" in first
    assert "not the project of one of our jobs" in first
    assert "$410.00" in first
    assert f"class {branch['Name']!r}" in second
    assert "not named after one of our jobs" in second
    assert "99999 Not Ours" in third
    stored = db.execute(
        sa.select(CostLine.line_id, CostLine.allocation, CostLine.job_id, CostLine.allocated_to)
        .where(CostLine.txn_type == "Bill", CostLine.txn_id == bill["Id"])
        .order_by(CostLine.line_id)
    ).all()
    assert [(line_id, allocation, job_id) for line_id, allocation, job_id, _ in stored] == [
        ("1", CostAllocation.UNALLOCATED, None),
        ("2", CostAllocation.UNALLOCATED, None),
        ("3", CostAllocation.UNALLOCATED, None),
        ("4", CostAllocation.OVERHEAD, None),
    ]
    assert parent["DisplayName"] in stored[0].allocated_to
    assert figures(db, number).cost_to_date_cents == before
    company = books_service.company_costs(db, since=date(2025, 6, 2), until=date(2025, 6, 2))
    assert (company.unallocated_cents, company.unallocated_lines) == (1705_50, 3)
    assert company.overhead_cents == 300_00


def test_a_fixed_line_moves_from_unallocated_to_its_job(
    qbo: Harness, books: FakeCompany, session_maker: sessionmaker[Session], db: Session
) -> None:
    sync(session_maker, qbo.client, full=True)
    number, ledger = next(iter(books.jobs.items()))
    book = books.books
    project = book.get("Customer", ledger.project_id) or {}
    parent = book.get("Customer", project["ParentRef"]["value"]) or {}
    line = _line("410.00", _account(books, "Permits"), CustomerRef=_ref(parent))
    bill = book.add("Bill", {"VendorRef": _ref(book.rows("Vendor")[0]), "Line": [line]})
    sync(session_maker, qbo.client)
    before = figures(db, number).permits_cents or 0

    fixed = _line("410.00", _account(books, "Permits"), CustomerRef=_ref(project))
    book.replace("Bill", bill["Id"], {"Line": [fixed]})
    run = sync(session_maker, qbo.client)

    assert run.status == SyncRunStatus.SUCCEEDED, run.error
    assert figures(db, number).permits_cents == before + 410_00
    assert books_service.company_costs(db).unallocated_lines == 0


def test_overhead_is_the_company_cost_of_a_period(
    qbo: Harness, books: FakeCompany, session_maker: sessionmaker[Session], db: Session
) -> None:
    sync(session_maker, qbo.client, full=True)
    may = (date(2025, 5, 1), date(2025, 5, 31))

    company = books_service.company_costs(db, since=may[0], until=may[1])

    assert company.overhead_cents == _overhead_in_the_books(books, *may)
    assert company.overhead_cents >= 8_500_00  # May's rent at least
    assert (company.unallocated_cents, company.unallocated) == (0, [])
    everything = books_service.company_costs(db)
    assert everything.overhead_cents == _overhead_in_the_books(books, date.min, date.max)


def _overhead_in_the_books(books: FakeCompany, since: date, until: date) -> int:
    """Lines with no customer and no class, from the books' JSON."""
    total = Decimal(0)
    for entity in ("Bill", "Purchase"):
        for row in books.books.rows(entity):
            if not since <= date.fromisoformat(row["TxnDate"]) <= until:
                continue
            for line in row["Line"]:
                detail = line.get("AccountBasedExpenseLineDetail") or line.get(
                    "ItemBasedExpenseLineDetail"
                )
                if "CustomerRef" not in detail and "ClassRef" not in detail:
                    total += Decimal(str(line["Amount"]))
    return to_cents(total)
