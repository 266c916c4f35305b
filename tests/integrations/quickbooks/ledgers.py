"""What the accounting-sync tests share: one sync run over HTTP, a job's figures, and the
figures the fake's books imply (computed from the books' JSON, not by our code)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from roofops.config import get_settings
from roofops.integrations.core.runner import run_sync
from roofops.integrations.core.runs import open_run
from roofops.integrations.quickbooks.client import QuickBooksClient
from roofops.integrations.quickbooks.sync_service import QuickBooksSync
from roofops.kit.money import to_cents
from roofops.models import Job, JobFinancials, Provider, SyncKind, SyncRun
from roofops.sandbox.quickbooks.books import FakeCompany
from roofops.sandbox.quickbooks.store import Books

CATEGORY_OF_ACCOUNT = {
    "Materials": "materials",
    "Labor": "labor",
    "Subcontractors": "subcontractor",
    "Permits": "permits",
    "Dump Fees": "disposal",
    "Equipment Rental": "equipment",
}


def sync(
    session_maker: sessionmaker[Session],
    client: Callable[[], QuickBooksClient],
    *,
    full: bool = False,
    kind: SyncKind = SyncKind.INCREMENTAL,
) -> SyncRun:
    with session_maker.begin() as db:
        run_id = open_run(db, Provider.QUICKBOOKS, kind, triggered_by="test").id
    sync = QuickBooksSync(lambda _sessions, _settings: client())
    run_sync(session_maker, get_settings(), sync, run_id=run_id, full=full)
    with session_maker() as db:
        run = db.get(SyncRun, run_id)
        assert run is not None
        return run


def figures(db: Session, number: str) -> JobFinancials:
    db.expire_all()
    job_id = db.scalar(sa.select(Job.id).where(Job.number == number))
    row = db.get(JobFinancials, job_id)
    assert row is not None
    return row


def expected_contract(book: Books, invoice_ids: list[str]) -> int:
    total = Decimal(0)
    for invoice_id in invoice_ids:
        invoice = book.get("Invoice", invoice_id)
        if invoice is not None and not book.is_voided(invoice_id):
            total += Decimal(str(invoice.get("TotalAmt", 0)))
    return to_cents(total)


def expected_costs(book: Books, company: FakeCompany, number: str) -> dict[str, int]:
    accounts = {row["Id"]: row["Name"] for row in book.rows("Account")}
    items = {row["Id"]: row.get("ExpenseAccountRef", {}).get("value") for row in book.rows("Item")}
    ledger = company.jobs[number]
    costs: dict[str, Decimal] = {}
    for entity, ids in (("Bill", ledger.bills), ("Purchase", ledger.purchases)):
        for txn_id in ids:
            for line in (book.get(entity, txn_id) or {}).get("Line", []):
                account = _line_account(line, items)
                if account is not None and _project_of(line) == ledger.project_id:
                    category = CATEGORY_OF_ACCOUNT.get(accounts[account], "other")
                    costs[category] = costs.get(category, Decimal(0)) + Decimal(str(line["Amount"]))
    return {category: to_cents(amount) for category, amount in costs.items()}


def _line_account(line: dict[str, Any], items: dict[str, str | None]) -> str | None:
    if detail := line.get("AccountBasedExpenseLineDetail"):
        return str(detail["AccountRef"]["value"])
    if detail := line.get("ItemBasedExpenseLineDetail"):
        return items.get(detail["ItemRef"]["value"])
    return None


def _project_of(line: dict[str, Any]) -> str | None:
    for key in ("AccountBasedExpenseLineDetail", "ItemBasedExpenseLineDetail"):
        if (detail := line.get(key)) and "CustomerRef" in detail:
            return str(detail["CustomerRef"]["value"])
    return None


def all_figures(db: Session) -> list[tuple[Any, ...]]:
    """What the books gave every job: invoiced and costs to date."""
    rows = db.execute(
        sa.select(
            JobFinancials.job_id, JobFinancials.invoiced_cents, JobFinancials.cost_to_date_cents
        ).order_by(JobFinancials.job_id)
    )
    return [tuple(row) for row in rows]
