"""Read the books' changes and turn them into job figures, all or nothing.

A full read queries every entity we use, 1,000 per page. An incremental read asks CDC for what
changed since the cursor (minus an overlap), falling back to ``LastUpdatedTime`` queries when
CDC's 30-day window or its 1,000-object cap does not fit. Either way the documents are fetched
first and written in ONE transaction with the recomputed figures and the new cursor: a sync that
fails anywhere leaves the last good figures exactly as they were.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from roofops.financials.books import BookAccount, BookCostLine, BookInvoice, books_service
from roofops.integrations.core.repository import ExternalRefRepository, SyncCursorRepository
from roofops.integrations.core.runs import SyncRunRecorder
from roofops.integrations.quickbooks.client import QuickBooksClient
from roofops.integrations.quickbooks.ledger import (
    CostRow,
    InvoiceRow,
    cost_rows,
    guess_category,
    invoice_row,
    job_number_in,
    project_job_number,
)
from roofops.integrations.quickbooks.schemas import (
    Account,
    Bill,
    Customer,
    Invoice,
    Item,
    Malformed,
    Purchase,
    QboClass,
    QboEntity,
)
from roofops.kit.time import as_utc, utcnow
from roofops.models.enums import CostCategory, Provider
from roofops.models.integration import ExternalRef

SOURCE = Provider.QUICKBOOKS
STREAM = "ledger"
MODELS: tuple[type[QboEntity], ...] = (Account, Item, QboClass, Customer, Invoice, Bill, Purchase)
OVERLAP = timedelta(minutes=5)
CDC_WINDOW = timedelta(days=29)  # QuickBooks keeps 30 days of changes; stay inside
COST_ACCOUNT_TYPES = frozenset({"Cost of Goods Sold", "Expense", "Other Expense"})


@dataclass
class Changes:
    """What one read brought: entities by name, deletions by name, and the new cursor."""

    entities: dict[str, list[Any]] = field(default_factory=dict)
    deleted: dict[str, list[str]] = field(default_factory=dict)
    malformed: list[Malformed] = field(default_factory=list)
    newest: datetime | None = None

    def of(self, model: type[QboEntity]) -> list[Any]:
        return self.entities.get(model.entity_name, [])

    def add(self, model: type[QboEntity], entities: Sequence[QboEntity]) -> None:
        self.entities.setdefault(model.entity_name, []).extend(entities)
        for entity in entities:
            self.newest = max(self.newest or entity.last_updated, entity.last_updated)

    @property
    def count(self) -> int:
        changed = sum(len(items) for items in self.entities.values())
        return changed + sum(len(ids) for ids in self.deleted.values()) + len(self.malformed)


@dataclass(frozen=True)
class Cursor:
    position: datetime  # the books' clock: the newest LastUpdatedTime read
    stored_at: datetime  # our clock: when that read happened


def read_changes(client: QuickBooksClient, cursor: Cursor | None, *, full: bool) -> Changes:
    """Everything (full, first run, or CDC's window passed since the last read) or the changes."""
    if full or cursor is None or utcnow() - as_utc(cursor.stored_at) > CDC_WINDOW:
        return _query_all(client, None)
    since = as_utc(cursor.position)
    answer = client.cdc(MODELS, since - OVERLAP)
    if answer.saturated:
        return _query_all(client, since - OVERLAP)
    changes = Changes(malformed=list(answer.malformed), newest=answer.time)
    for model in MODELS:
        changes.add(model, answer.changed.get(model.entity_name, []))
    changes.deleted = {name: [d.id for d in items] for name, items in answer.deleted.items()}
    return changes


def _query_all(client: QuickBooksClient, since: datetime | None) -> Changes:
    """Every entity (changed since ``since``), by paged queries. The cursor becomes QuickBooks'
    clock when the read began, so quiet books do not leave it behind CDC's 30-day window."""
    changes = Changes()
    started: datetime | None = None
    for model in MODELS:
        for page in client.query_pages(model, since=since):
            started = started or page.time
            changes.add(model, page.entities)
            changes.malformed.extend(page.malformed)
    if started is not None:
        changes.newest = max(changes.newest or started, started)
    return changes


class LedgerWriter:
    """Turns one read's entities into what the books say, written through financials' port
    (``BooksUpdate``) in the caller's transaction; the project and class links are ours."""

    def __init__(self, db: Session, recorder: SyncRunRecorder, doc_pattern: str) -> None:
        self.db, self.recorder = db, recorder
        self.pattern = re.compile(doc_pattern)
        self.books = books_service.update(db, SOURCE)
        self.refs = ExternalRefRepository(db)

    def apply(self, changes: Changes, now: datetime) -> int:
        self.books.categorize(_accounts(changes.of(Account), changes.of(Item)))
        self._link_projects(changes.of(Customer))
        self._link_classes(changes.of(QboClass))
        self._invoices(changes.of(Invoice))
        self._costs([*changes.of(Bill), *changes.of(Purchase)])
        self.books.remove(
            changes.deleted.get("Invoice", []),
            {kind: changes.deleted.get(kind, []) for kind in ("Bill", "Purchase")},
        )
        moved = self.books.finish(now)
        self._count()
        return moved

    # ----- links --------------------------------------------------------------------------
    def _link_projects(self, customers: Sequence[Customer]) -> None:
        numbers = {c.id: n for c in customers if (n := project_job_number(c)) is not None}
        jobs = self.books.job_ids(numbers.values())
        links = self.refs.lookup(SOURCE, "project", numbers)
        for customer_id, number in numbers.items():
            job_id = jobs.get(number)
            if job_id is None:
                continue
            link = links.get(customer_id)
            if link is None:
                self.db.add(_ref("project", customer_id, job_id))
            elif link.local_id != job_id:
                link.local_id = job_id

    def _link_classes(self, classes: Sequence[QboClass]) -> None:
        """Companies that track jobs as classes name each class after its job number."""
        numbers = {c.id: n for c in classes if (n := job_number_in(c.name)) is not None}
        jobs = self.books.job_ids(numbers.values())
        links = self.refs.lookup(SOURCE, "class", numbers)
        for class_id, number in numbers.items():
            job_id = jobs.get(number)
            if job_id is not None and class_id not in links:
                self.db.add(_ref("class", class_id, job_id))

    # ----- documents ----------------------------------------------------------------------
    def _invoices(self, invoices: Sequence[Invoice]) -> None:
        rows = [invoice_row(invoice, self.pattern) for invoice in invoices]
        jobs = self.books.job_ids(row.job_number for row in rows if row.job_number)
        projects = self.refs.lookup(SOURCE, "project", (row.customer_ref for row in rows))
        self.books.record_invoices(
            [
                _book_invoice(row, invoice, jobs, projects)
                for row, invoice in zip(rows, invoices, strict=True)
            ]
        )

    def _costs(self, transactions: Sequence[Bill | Purchase]) -> None:
        rows = [row for txn in transactions for row in cost_rows(txn)]
        jobs = self._allocations(rows)
        # A line allocated to a customer or class that is not one of our jobs is left out.
        lines = [_book_line(row, jobs[row.allocation]) for row in rows if row.allocation in jobs]
        self.books.replace_cost_lines(_ids_by_type(transactions), lines)

    def _allocations(self, rows: Sequence[CostRow]) -> dict[tuple[str, str], uuid.UUID]:
        """(kind, id) of each line's project or class -> our job."""
        found: dict[tuple[str, str], uuid.UUID] = {}
        for kind in ("project", "class"):
            ids = (row.allocation[1] for row in rows if row.allocation[0] == kind)
            found.update(
                ((kind, ref_id), ref.local_id)
                for ref_id, ref in self.refs.lookup(SOURCE, kind, ids).items()
            )
        return found

    def _count(self) -> None:
        counts, documents = self.recorder.counts, self.books.counts
        counts.created += documents.created
        counts.updated += documents.updated
        counts.unchanged += documents.unchanged


def _accounts(accounts: Sequence[Account], items: Sequence[Item]) -> list[BookAccount]:
    """Cost accounts with the category their name suggests; items that cost into an account."""
    found = [
        BookAccount(("account", a.id), a.name, guess_category(a))
        for a in accounts
        if a.account_type in COST_ACCOUNT_TYPES
    ]
    found += [
        BookAccount(
            ("item", i.id),
            i.name,
            CostCategory.MATERIALS,
            expense_account=("account", i.expense_account_ref.value),
        )
        for i in items
        if i.expense_account_ref is not None
    ]
    return found


def _book_invoice(
    row: InvoiceRow,
    invoice: Invoice,
    jobs: dict[str, uuid.UUID],
    projects: dict[str, ExternalRef],
) -> BookInvoice:
    project = projects.get(row.customer_ref)
    return BookInvoice(
        external_id=row.external_id,
        job_id=jobs.get(row.job_number or "") or (project.local_id if project else None),
        doc_number=row.doc_number,
        customer_ref=row.customer_ref,
        txn_date=row.txn_date,
        total_cents=row.total_cents,
        balance_cents=row.balance_cents,
        status=row.status,
        updated_at=invoice.last_updated,
    )


def _book_line(row: CostRow, job_id: uuid.UUID) -> BookCostLine:
    return BookCostLine(
        txn_type=row.txn_type,
        txn_id=row.txn_id,
        line_id=row.line_id,
        job_id=job_id,
        mapping=row.mapping,
        amount_cents=row.amount_cents,
        txn_date=row.txn_date,
        vendor_name=row.vendor_name,
        description=row.description,
    )


def _ref(local_type: str, external_id: str, local_id: uuid.UUID) -> ExternalRef:
    return ExternalRef(
        id=uuid.uuid4(),
        source=SOURCE,
        local_type=local_type,
        external_id=external_id,
        local_id=local_id,
    )


def _ids_by_type(transactions: Sequence[Bill | Purchase]) -> dict[str, list[str]]:
    by_type: dict[str, list[str]] = {}
    for txn in transactions:
        by_type.setdefault(txn.entity_name, []).append(txn.id)
    return by_type


def cursor(db: Session) -> Cursor | None:
    stored = SyncCursorRepository(db).get(SOURCE, STREAM)
    return Cursor(stored.position, stored.updated_at) if stored else None


def move_cursor(db: Session, position: datetime | None) -> None:
    if position is not None:
        SyncCursorRepository(db).move(SOURCE, STREAM, position, utcnow())
