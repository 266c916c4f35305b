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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from roofops.financials.repository import (
    AccountingDocumentRepository,
    CostMappingRepository,
    FinancialsRepository,
)
from roofops.financials.service import financials_service
from roofops.integrations.core.repository import ExternalRefRepository, SyncCursorRepository
from roofops.integrations.core.runs import SyncRunRecorder
from roofops.integrations.quickbooks.client import QuickBooksClient
from roofops.integrations.quickbooks.ledger import (
    CostRow,
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
from roofops.models.enums import AccountingDocStatus, CostCategory, FigureSource, Provider
from roofops.models.financials import AccountingInvoice, CostCategoryMapping
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
    """Writes one read's documents and the figures they change, in the caller's transaction."""

    def __init__(self, db: Session, recorder: SyncRunRecorder, doc_pattern: str) -> None:
        self.db, self.recorder = db, recorder
        self.pattern = re.compile(doc_pattern)
        self.documents = AccountingDocumentRepository(db)
        self.refs = ExternalRefRepository(db)
        self.touched: set[uuid.UUID] = set()

    def apply(self, changes: Changes, now: datetime) -> int:
        self._map_accounts(changes.of(Account))
        self._map_items(changes.of(Item))
        self._link_projects(changes.of(Customer))
        self._link_classes(changes.of(QboClass))
        self._invoices(changes.of(Invoice))
        self._costs([*changes.of(Bill), *changes.of(Purchase)])
        self._deletions(changes.deleted)
        return self._refigure(now)

    # ----- lists --------------------------------------------------------------------------
    def _map_accounts(self, accounts: Sequence[Account]) -> None:
        mappings = CostMappingRepository(self.db)
        for account in accounts:
            if account.account_type not in COST_ACCOUNT_TYPES:
                continue
            existing = mappings.find(SOURCE, "account", account.id)
            if existing is None:
                mappings.add(_mapping("account", account.id, account.name, guess_category(account)))
            else:
                existing.external_name = account.name[:200]

    def _map_items(self, items: Sequence[Item]) -> None:
        """An item costs into its expense account's category, unless finance mapped the item."""
        mappings = CostMappingRepository(self.db)
        for item in items:
            if item.expense_account_ref is None or mappings.find(SOURCE, "item", item.id):
                continue
            account = mappings.find(SOURCE, "account", item.expense_account_ref.value)
            category = account.category if account else CostCategory.MATERIALS
            mappings.add(_mapping("item", item.id, item.name, category))

    def _link_projects(self, customers: Sequence[Customer]) -> None:
        numbers = {c.id: n for c in customers if (n := project_job_number(c)) is not None}
        jobs = _job_ids(self.db, numbers.values())
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
        jobs = _job_ids(self.db, numbers.values())
        links = self.refs.lookup(SOURCE, "class", numbers)
        for class_id, number in numbers.items():
            job_id = jobs.get(number)
            if job_id is not None and class_id not in links:
                self.db.add(_ref("class", class_id, job_id))

    # ----- documents ----------------------------------------------------------------------
    def _invoices(self, invoices: Sequence[Invoice]) -> None:
        rows = [invoice_row(invoice, self.pattern) for invoice in invoices]
        stored = self.documents.invoices(SOURCE, (row.external_id for row in rows))
        jobs = _job_ids(self.db, (row.job_number for row in rows if row.job_number))
        projects = self.refs.lookup(SOURCE, "project", (row.customer_ref for row in rows))
        counts = self.recorder.counts
        for row, invoice in zip(rows, invoices, strict=True):
            project = projects.get(row.customer_ref)
            job_id = jobs.get(row.job_number or "") or (project.local_id if project else None)
            current = stored.get(row.external_id)
            if current is None:
                current = AccountingInvoice(
                    id=uuid.uuid4(), provider=SOURCE, external_id=row.external_id
                )
                self.db.add(current)
                counts.created += 1
            elif (
                current.updated_remote_at
                and as_utc(current.updated_remote_at) == invoice.last_updated
            ):
                counts.unchanged += 1
                continue
            else:
                counts.updated += 1
            self._touch(current.job_id, job_id)
            current.job_id, current.doc_number, current.customer_ref = (
                job_id,
                row.doc_number,
                row.customer_ref,
            )
            current.txn_date, current.total_cents = row.txn_date, row.total_cents
            current.balance_cents, current.status = row.balance_cents, row.status
            current.updated_remote_at = invoice.last_updated

    def _costs(self, transactions: Sequence[Bill | Purchase]) -> None:
        rows = [row for txn in transactions for row in cost_rows(txn)]
        jobs = self._allocations(rows)
        categories = self._categories()
        self._drop_lines(_ids_by_type(transactions))
        lines = []
        for row in rows:
            job_id = jobs.get(row.allocation)
            if job_id is None:
                continue  # allocated to a customer or class that is not one of our jobs
            lines.append(_cost_line(row, job_id, categories.get(row.mapping)))
            self.touched.add(job_id)
        self.documents.insert_cost_lines(lines)
        self.recorder.counts.updated += len(transactions)

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

    def _drop_lines(self, ids_by_type: dict[str, list[str]]) -> None:
        for txn_type, ids in ids_by_type.items():
            self.touched.update(self.documents.drop_cost_lines(SOURCE, txn_type, ids))

    def _deletions(self, deleted: dict[str, list[str]]) -> None:
        for invoice in self.documents.invoices(SOURCE, deleted.get("Invoice", [])).values():
            invoice.status = AccountingDocStatus.DELETED
            self._touch(invoice.job_id, None)
        self._drop_lines({kind: deleted.get(kind, []) for kind in ("Bill", "Purchase")})

    def _categories(self) -> dict[tuple[str, str], CostCategory]:
        rows = CostMappingRepository(self.db).all(SOURCE)
        return {(row.kind, row.external_id): row.category for row in rows}

    def _touch(self, *job_ids: uuid.UUID | None) -> None:
        self.touched.update(job_id for job_id in job_ids if job_id is not None)

    # ----- figures ------------------------------------------------------------------------
    def _refigure(self, now: datetime) -> int:
        """The books' figures of every job a changed document touches (before or after)."""
        self.db.flush()
        jobs = sorted(self.touched, key=str)
        contracts = self.documents.contract_totals(jobs)
        costs = self.documents.cost_totals(jobs)
        books = {
            job_id: {
                "contract": contracts.get(job_id, 0),
                **{c.value: costs.get((job_id, c.value), 0) for c in CostCategory},
            }
            for job_id in jobs
        }
        return financials_service.apply_books(
            self.db, FigureSource.QUICKBOOKS, books, synced_at=now
        )


def _job_ids(db: Session, numbers: Iterable[str]) -> dict[str, uuid.UUID]:
    return FinancialsRepository(db).job_ids_by_number(numbers)


def _mapping(kind: str, external_id: str, name: str, category: CostCategory) -> CostCategoryMapping:
    return CostCategoryMapping(
        id=uuid.uuid4(),
        provider=SOURCE,
        kind=kind,
        external_id=external_id,
        external_name=name[:200],
        category=category,
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


def _cost_line(row: CostRow, job_id: uuid.UUID, category: CostCategory | None) -> dict[str, Any]:
    """A CostLine row, as values for a multi-row insert."""
    now = utcnow()
    return {
        "id": uuid.uuid4(),
        "provider": SOURCE,
        "txn_type": row.txn_type,
        "txn_id": row.txn_id,
        "line_id": row.line_id,
        "job_id": job_id,
        "category": category or CostCategory.OTHER,
        "amount_cents": row.amount_cents,
        "txn_date": row.txn_date,
        "vendor_name": row.vendor_name,
        "account_name": "",
        "description": row.description,
        "created_at": now,
        "updated_at": now,
    }


def cursor(db: Session) -> Cursor | None:
    stored = SyncCursorRepository(db).get(SOURCE, STREAM)
    return Cursor(stored.position, stored.updated_at) if stored else None


def move_cursor(db: Session, position: datetime | None) -> None:
    if position is not None:
        SyncCursorRepository(db).move(SOURCE, STREAM, position, utcnow())
