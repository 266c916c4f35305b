"""Read the books' changes and turn them into job figures, all or nothing.

A full read queries every entity we use, 1,000 per page, and reconciles: an invoice, bill or
expense it no longer returns was deleted in the books (queries simply stop returning it) and
stops counting. An incremental read asks CDC for what changed since the cursor (minus an
overlap); deletions come as stubs. When CDC cannot answer (more than 29 days since the last read,
or its 1,000-object cap hit) the read is a full one: CDC has no upper bound to bisect a window
with, and a deletion older than its 30 days is visible only as an absence. Either way the
documents are fetched first and written in ONE transaction with the recomputed figures and the
new cursor: a sync that fails anywhere leaves the last good figures exactly as they were.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from roofops.financials.books import (
    BookAccount,
    BookCostLine,
    BookInvoice,
    BookPayment,
    BookPaymentAllocation,
    books_service,
)
from roofops.integrations.core.repository import ExternalRefRepository, SyncCursorRepository
from roofops.integrations.core.runs import MAX_STORED_ERRORS, SyncRunRecorder
from roofops.integrations.core.settlement import settle_from_books
from roofops.integrations.quickbooks.client import QuickBooksClient, QuickBooksFault
from roofops.integrations.quickbooks.ledger import (
    CostRow,
    InvoiceRow,
    cost_rows,
    guess_category,
    invoice_row,
    job_number_in,
    payment_row,
    project_job_number,
)
from roofops.integrations.quickbooks.schemas import (
    Account,
    Bill,
    Customer,
    Invoice,
    Item,
    Malformed,
    Payment,
    Purchase,
    QboClass,
    QboEntity,
)
from roofops.kit.time import as_utc, utcnow
from roofops.logging import get_logger
from roofops.models.enums import CostCategory, Provider
from roofops.models.financials import CostAllocation
from roofops.models.integration import ExternalRef, SyncRunError

log = get_logger(__name__)

SOURCE = Provider.QUICKBOOKS
STREAM = "ledger"
MODELS: tuple[type[QboEntity], ...] = (
    Account,
    Item,
    QboClass,
    Customer,
    Invoice,
    Payment,
    Bill,
    Purchase,
)
# The documents whose absence from a full read means they were deleted in the books.
RECONCILED: tuple[type[QboEntity], ...] = (Invoice, Payment, Bill, Purchase)
COST_LINE = "cost line"  # the record type of an unallocated line on the run
OVERLAP = timedelta(minutes=5)
CDC_WINDOW = timedelta(days=29)  # QuickBooks keeps 30 days of changes; stay inside
COST_ACCOUNT_TYPES = frozenset({"Cost of Goods Sold", "Expense", "Other Expense"})


@dataclass
class Changes:
    """What one read brought: entities by name, deletions by name, the entities read whole
    (everything the books hold of them: what is missing was deleted), and the new cursor."""

    entities: dict[str, list[Any]] = field(default_factory=dict)
    deleted: dict[str, list[str]] = field(default_factory=dict)
    malformed: list[Malformed] = field(default_factory=list)
    whole: set[str] = field(default_factory=set)
    newest: datetime | None = None

    def of(self, model: type[QboEntity]) -> list[Any]:
        return self.entities.get(model.entity_name, [])

    def held(self, name: str) -> set[str]:
        """The Ids the books returned of one entity, the malformed ones included."""
        ids = {entity.id for entity in self.entities.get(name, [])}
        return ids | {bad.id for bad in self.malformed if bad.entity == name and bad.id}

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
    """Everything (asked for, first run, CDC's window passed since the last read, or CDC's
    answer at its cap) or the changes CDC reports."""
    if full or cursor is None or utcnow() - as_utc(cursor.stored_at) > CDC_WINDOW:
        return _read_everything(client)
    answer = client.cdc(MODELS, as_utc(cursor.position) - OVERLAP)
    if answer.saturated:
        return _read_everything(client)
    changes = Changes(malformed=list(answer.malformed), newest=answer.time)
    for model in MODELS:
        changes.add(model, answer.changed.get(model.entity_name, []))
    changes.deleted = {name: [d.id for d in items] for name, items in answer.deleted.items()}
    return changes


def _read_everything(client: QuickBooksClient) -> Changes:
    """Every entity, by paged queries. The cursor becomes QuickBooks' clock when the read
    began, so quiet books do not leave it behind CDC's 30-day window."""
    changes = Changes()
    started: datetime | None = None
    for model in MODELS:
        counted = _count(client, model) if model in RECONCILED else None
        rows = 0
        for page in client.query_pages(model):
            started, rows = started or page.time, rows + page.rows
            changes.add(model, page.entities)
            changes.malformed.extend(page.malformed)
        if model in RECONCILED:
            _check_whole(changes, model, counted, rows)
    if started is not None:
        changes.newest = max(changes.newest or started, started)
    return changes


def _count(client: QuickBooksClient, model: type[QboEntity]) -> int | None:
    """How many the books hold, or None when they will not say (the read is then trusted:
    the count is a safety check, not a condition of reading)."""
    try:
        return client.count(model)
    except QuickBooksFault as refused:
        log.warning("quickbooks.count.refused", entity=model.entity_name, reason=refused.message)
        return None


def _check_whole(changes: Changes, model: type[QboEntity], counted: int | None, rows: int) -> None:
    """A read proves deletions only when it returned all the books count (a short read, say a
    lower page cap than ours, must not delete the rest) and every row had its Id."""
    name = model.entity_name
    if counted is not None and rows < counted:
        problem = f"QuickBooks counts {counted:,} but returned {rows:,}: deletions not looked for"
        changes.malformed.append(Malformed(name, None, problem))
    if not any(bad.entity == name and bad.id is None for bad in changes.malformed):
        changes.whole.add(name)


class LedgerWriter:
    """Turns one read's entities into what the books say, written through financials' port
    (``BooksUpdate``) in the caller's transaction; the project and class links are ours."""

    def __init__(self, db: Session, recorder: SyncRunRecorder, doc_pattern: str) -> None:
        self.db, self.recorder = db, recorder
        self.pattern = re.compile(doc_pattern)
        self.books = books_service.update(db, SOURCE)
        self.refs = ExternalRefRepository(db)
        self.unallocated: list[CostRow] = []

    def apply(self, changes: Changes, now: datetime) -> int:
        self.books.categorize(_accounts(changes.of(Account), changes.of(Item)))
        self._link_projects(changes.of(Customer))
        self._link_classes(changes.of(QboClass))
        self._invoices(changes.of(Invoice))
        self.books.record_payments([_book_payment(p) for p in changes.of(Payment)])
        self._costs([*changes.of(Bill), *changes.of(Purchase)])
        self.books.remove(
            changes.deleted.get("Invoice", []),
            {kind: changes.deleted.get(kind, []) for kind in ("Bill", "Purchase")},
        )
        self.books.remove_payments(changes.deleted.get("Payment", []))
        self._reconcile(changes)
        moved = self.books.finish(now)
        settle_from_books(self.db, self.books)
        self._report_unallocated(now)
        self._count()
        return moved

    def _reconcile(self, changes: Changes) -> None:
        invoices = changes.held("Invoice") if "Invoice" in changes.whole else None
        transactions: dict[str, set[str]] = {
            kind: changes.held(kind) for kind in ("Bill", "Purchase") if kind in changes.whole
        }
        if invoices is not None or transactions:
            self.books.reconcile(invoices, transactions)
        if "Payment" in changes.whole:
            self.books.reconcile_payments(changes.held("Payment"))

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
        lines = [_book_line(row, _job_of(row, jobs)) for row in rows]
        self.unallocated += [
            row
            for row, line in zip(rows, lines, strict=True)
            if line.allocation == CostAllocation.UNALLOCATED
        ]
        self.books.replace_cost_lines(_ids_by_type(transactions), lines)

    def _allocations(self, rows: Sequence[CostRow]) -> dict[tuple[str, str], uuid.UUID]:
        """(kind, id) of each customer or class the lines name -> our job."""
        found: dict[tuple[str, str], uuid.UUID] = {}
        for kind in ("project", "class"):
            ids = (named.id for row in rows for named in row.named if named.kind == kind)
            found.update(
                ((kind, ref_id), ref.local_id)
                for ref_id, ref in self.refs.lookup(SOURCE, kind, ids).items()
            )
        return found

    def _report_unallocated(self, now: datetime) -> None:
        """Each line no job takes, with its reason, on the run: in this transaction, so the
        report and the lines it describes are written together. They are findings about the
        books, not records we failed to take, so they leave the run SUCCEEDED."""
        self.recorder.counts.warnings += len(self.unallocated)
        self.db.add_all(
            SyncRunError(
                run_id=self.recorder.run_id,
                record_type=COST_LINE,
                external_id=f"{row.txn_type} {row.txn_id} line {row.line_id}"[:64],
                message=row.unallocated_reason(),
                created_at=now,
            )
            for row in self.unallocated[:MAX_STORED_ERRORS]
        )
        if self.unallocated:
            log.warning("quickbooks.cost_lines.unallocated", lines=len(self.unallocated))

    def _count(self) -> None:
        counts = self.recorder.counts
        for documents in (self.books.counts, self.books.payment_counts):
            counts.created += documents.created
            counts.updated += documents.updated + documents.removed
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
        due_date=row.due_date,
    )


def _book_payment(payment: Payment) -> BookPayment:
    row = payment_row(payment)
    return BookPayment(
        external_id=row.external_id,
        txn_date=row.txn_date,
        total_cents=row.total_cents,
        unapplied_cents=row.unapplied_cents,
        reference=row.reference,
        customer_ref=row.customer_ref,
        updated_at=payment.last_updated,
        allocations=tuple(BookPaymentAllocation(i, cents) for i, cents in row.split),
    )


def _job_of(row: CostRow, jobs: dict[tuple[str, str], uuid.UUID]) -> uuid.UUID | None:
    """The job of the line's customer (a project), else of its class."""
    return next((jobs[named.key] for named in row.named if named.key in jobs), None)


def _book_line(row: CostRow, job_id: uuid.UUID | None) -> BookCostLine:
    return BookCostLine(
        txn_type=row.txn_type,
        txn_id=row.txn_id,
        line_id=row.line_id,
        job_id=job_id,
        allocation=_allocation(row, job_id),
        allocated_to=row.allocated_to,
        mapping=row.mapping,
        amount_cents=row.amount_cents,
        txn_date=row.txn_date,
        vendor_name=row.vendor_name,
        description=row.description,
    )


def _allocation(row: CostRow, job_id: uuid.UUID | None) -> CostAllocation:
    if job_id is not None:
        return CostAllocation.JOB
    return CostAllocation.UNALLOCATED if row.named else CostAllocation.OVERHEAD


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
