"""What the books say: the one write API through which an accounting integration changes money.

An integration reads its vendor, turns what it read into the plain records below (no vendor
type crosses this line), and writes one read as one :class:`BooksUpdate` in its own transaction:
documents first (invoices, cost lines, and the customer payments with their split over
invoices), then, after a read of everything, :meth:`BooksUpdate.reconcile` and
:meth:`BooksUpdate.reconcile_payments` (what the books no longer hold was deleted there), then
:meth:`BooksUpdate.finish` recomputes the figures of every job a document touched. Financials
never imports an integration; this module is the port they write through.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from roofops.financials.repository import (
    AccountingDocumentRepository,
    AccountingPaymentRepository,
    CompanyCostRepository,
    CostMappingRepository,
    CostTotal,
    FinancialsRepository,
)
from roofops.financials.service import BooksFigures, financials_service
from roofops.kit.time import as_utc, utcnow
from roofops.models.enums import AccountingDocStatus, CostCategory, FigureSource, Provider
from roofops.models.financials import (
    AccountingInvoice,
    AccountingPayment,
    CostAllocation,
    CostCategoryMapping,
)

FIGURE_SOURCES = {Provider.QUICKBOOKS: FigureSource.QUICKBOOKS, Provider.XERO: FigureSource.XERO}
MappingKey = tuple[str, str]  # ("account" | "item", the vendor's id)


@dataclass(frozen=True)
class BookAccount:
    """An expense account (or an item, which costs into ``expense_account``) of the books."""

    key: MappingKey
    name: str
    suggested: CostCategory  # what its name suggests, for an account nobody mapped yet
    expense_account: MappingKey | None = None


@dataclass(frozen=True)
class BookInvoice:
    external_id: str
    job_id: uuid.UUID | None
    doc_number: str
    customer_ref: str
    txn_date: date | None
    total_cents: int
    balance_cents: int
    status: AccountingDocStatus
    updated_at: datetime  # the books' last change: an unchanged invoice costs no write
    due_date: date | None = None


@dataclass(frozen=True)
class BookPaymentAllocation:
    """The part of a payment the books applied to one of their invoices."""

    invoice_external_id: str
    amount_cents: int


@dataclass(frozen=True)
class BookPayment:
    """A customer payment as the books hold it, split over invoices as the books split it;
    ``unapplied_cents`` is what they hold on account, applied to no invoice."""

    external_id: str
    txn_date: date | None
    total_cents: int
    unapplied_cents: int
    reference: str
    customer_ref: str
    updated_at: datetime  # the books' last change: an unchanged payment costs no write
    allocations: tuple[BookPaymentAllocation, ...] = ()


@dataclass(frozen=True)
class BookCostLine:
    """An expense line: a job's (``job_id``), the company's overhead (it names no customer and
    no class), or unallocated (it names a customer or class that is none of our jobs)."""

    txn_type: str  # "Bill", "Purchase", ...
    txn_id: str
    line_id: str
    job_id: uuid.UUID | None
    allocation: CostAllocation
    allocated_to: str  # the customer and/or class the books name, as they name them
    mapping: MappingKey  # whose category the line takes
    amount_cents: int
    txn_date: date | None
    vendor_name: str
    description: str

    def __post_init__(self) -> None:
        if (self.allocation == CostAllocation.JOB) != (self.job_id is not None):
            raise ValueError("a job's cost line has its job, and only a job's line has one")


@dataclass
class DocumentCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0  # deleted in the books


@dataclass(frozen=True)
class CompanyCosts:
    """Costs of a period that count toward no job, by category."""

    overhead: list[CostTotal]
    unallocated: list[CostTotal]

    @property
    def overhead_cents(self) -> int:
        return sum(total.cents for total in self.overhead)

    @property
    def unallocated_cents(self) -> int:
        return sum(total.cents for total in self.unallocated)

    @property
    def unallocated_lines(self) -> int:
        return sum(total.lines for total in self.unallocated)


@dataclass
class BooksUpdate:
    """One read of one accounting system, written in the caller's transaction."""

    db: Session
    provider: Provider
    counts: DocumentCounts = field(default_factory=DocumentCounts)
    payment_counts: DocumentCounts = field(default_factory=DocumentCounts)
    touched: set[uuid.UUID] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.documents = AccountingDocumentRepository(self.db)
        self.payments = AccountingPaymentRepository(self.db)
        self.mappings = CostMappingRepository(self.db)

    # ----- lists ----------------------------------------------------------------------------
    def job_ids(self, numbers: Iterable[str]) -> dict[str, uuid.UUID]:
        """Our jobs by number: the key the books share with the CRM."""
        return FinancialsRepository(self.db).job_ids_by_number(numbers)

    def categorize(self, accounts: Sequence[BookAccount]) -> None:
        """New accounts get the category their name suggests, items their account's; finance's
        choices (and names already known) stay, only a renamed account's name follows."""
        for account in accounts:
            existing = self.mappings.find(self.provider, *account.key)
            if existing is not None:
                existing.external_name = account.name[:200]
            else:
                self.mappings.add(self._mapping(account))

    def _mapping(self, account: BookAccount) -> CostCategoryMapping:
        category = account.suggested
        if account.expense_account is not None:
            parent = self.mappings.find(self.provider, *account.expense_account)
            category = parent.category if parent is not None else category
        kind, external_id = account.key
        return CostCategoryMapping(
            id=uuid.uuid4(),
            provider=self.provider,
            kind=kind,
            external_id=external_id,
            external_name=account.name[:200],
            category=category,
        )

    # ----- documents ------------------------------------------------------------------------
    def record_invoices(self, invoices: Sequence[BookInvoice]) -> None:
        stored = self.documents.invoices(self.provider, (i.external_id for i in invoices))
        for invoice in invoices:
            current = stored.get(invoice.external_id)
            if current is None:
                current = AccountingInvoice(
                    id=uuid.uuid4(), provider=self.provider, external_id=invoice.external_id
                )
                self.documents.add(current)
                self.counts.created += 1
            elif _unchanged(current, invoice):
                self.counts.unchanged += 1
                continue
            else:
                self.counts.updated += 1
            self._touch(current.job_id, invoice.job_id)
            _copy(invoice, current)

    def record_payments(self, payments: Sequence[BookPayment]) -> None:
        """New and changed payments with their split; a changed payment's allocations are
        replaced whole (the books may move a payment to another invoice)."""
        stored = self.payments.payments(self.provider, (p.external_id for p in payments))
        written: list[tuple[AccountingPayment, BookPayment]] = []
        for payment in payments:
            current = stored.get(payment.external_id)
            if current is None:
                current = AccountingPayment(
                    id=uuid.uuid4(), provider=self.provider, external_id=payment.external_id
                )
                self.payments.add(current)
                self.payment_counts.created += 1
            elif _payment_unchanged(current, payment):
                self.payment_counts.unchanged += 1
                continue
            else:
                self.payment_counts.updated += 1
            _copy_payment(payment, current)
            written.append((current, payment))
        self.db.flush()  # the new payments' rows exist before their allocations
        for row, payment in written:
            split = [(a.invoice_external_id, a.amount_cents) for a in payment.allocations]
            self.payments.replace_allocations(row.id, split)

    def remove_payments(self, external_ids: Collection[str]) -> None:
        """Payments deleted in the books: kept, marked deleted, paying nothing any more."""
        for payment in self.payments.payments(self.provider, external_ids).values():
            if not payment.deleted:
                payment.deleted = True
                self.payments.replace_allocations(payment.id, [])
                self.payment_counts.removed += 1

    def reconcile_payments(self, held: Collection[str]) -> None:
        """After a read of every payment: the books hold exactly ``held``."""
        self.remove_payments(self.payments.live_payment_ids(self.provider).difference(held))

    def replace_cost_lines(
        self, transactions: Mapping[str, Sequence[str]], lines: Sequence[BookCostLine]
    ) -> None:
        """The lines of these transactions (by type) become ``lines``: a changed bill is
        written again whole, and a line moved to another job leaves the old one.

        Overhead is what the company spends: a line on no job counts only when it is coded to
        a cost account (or an item), not a check to the owner's draw or a loan's principal."""
        self._drop_lines(transactions)
        mappings = self._mappings()
        self.documents.insert_cost_lines(
            [
                _cost_line(self.provider, line, mappings.get(line.mapping))
                for line in lines
                if line.allocation != CostAllocation.OVERHEAD or line.mapping in mappings
            ]
        )
        self._touch(*(line.job_id for line in lines))
        self.counts.updated += sum(len(ids) for ids in transactions.values())

    def remove(
        self, invoice_ids: Collection[str], transactions: Mapping[str, Collection[str]]
    ) -> None:
        """Documents deleted in the books: they no longer count anywhere."""
        for invoice in self.documents.invoices(self.provider, invoice_ids).values():
            if invoice.status != AccountingDocStatus.DELETED:
                invoice.status = AccountingDocStatus.DELETED
                self._touch(invoice.job_id)
                self.counts.removed += 1
        self._drop_lines(transactions)
        self.counts.removed += sum(len(ids) for ids in transactions.values())

    def reconcile(
        self, invoices: Collection[str] | None, transactions: Mapping[str, Collection[str]]
    ) -> None:
        """After a read of everything: the books hold exactly these invoices (``None``: the
        invoices were not read whole, leave them) and these transactions of each type given;
        every other one we keep was deleted there (queries simply stop returning it)."""
        gone = set() if invoices is None else self.documents.live_invoice_ids(self.provider)
        gone.difference_update(invoices or ())
        self.remove(
            gone,
            {
                txn_type: self.documents.cost_txn_ids(self.provider, txn_type).difference(kept)
                for txn_type, kept in transactions.items()
            },
        )

    # ----- figures --------------------------------------------------------------------------
    def finish(self, synced_at: datetime) -> int:
        """The books' figures of every job a document touched (before or after); returns how
        many jobs' figures moved."""
        self.db.flush()
        jobs = sorted(self.touched, key=str)
        invoices = self.documents.invoice_totals(jobs)
        costs = self.documents.cost_totals(jobs)
        books = {
            job_id: BooksFigures(
                *invoices.get(job_id, (0, 0)),
                costs={c.value: costs.get((job_id, c.value), 0) for c in CostCategory},
            )
            for job_id in jobs
        }
        source = FIGURE_SOURCES[self.provider]
        return financials_service.apply_books(self.db, source, books, synced_at=synced_at)

    def _drop_lines(self, transactions: Mapping[str, Collection[str]]) -> None:
        for txn_type, ids in transactions.items():
            self.touched.update(self.documents.drop_cost_lines(self.provider, txn_type, ids))

    def _mappings(self) -> dict[MappingKey, CostCategoryMapping]:
        return {(row.kind, row.external_id): row for row in self.mappings.all(self.provider)}

    def _touch(self, *job_ids: uuid.UUID | None) -> None:
        self.touched.update(job_id for job_id in job_ids if job_id is not None)


class BooksService:
    def update(self, db: Session, provider: Provider) -> BooksUpdate:
        """Rows for jobs that have none yet, then an update of this provider's books."""
        financials_service.track(db)
        return BooksUpdate(db, provider)

    def company_costs(
        self, db: Session, *, since: date | None = None, until: date | None = None
    ) -> CompanyCosts:
        """Overhead and unallocated cost by category, of lines dated ``since`` to ``until``
        (both included): the costs the Profit page shows beside the jobs'."""
        totals = CompanyCostRepository(db).totals(since, until)
        return CompanyCosts(
            overhead=[t for t in totals if t.allocation == CostAllocation.OVERHEAD],
            unallocated=[t for t in totals if t.allocation == CostAllocation.UNALLOCATED],
        )


def _unchanged(current: AccountingInvoice, invoice: BookInvoice) -> bool:
    """The same version as stored; one marked deleted is never unchanged (a full read that
    returns it again proves it is still there)."""
    return (
        current.status != AccountingDocStatus.DELETED
        and current.updated_remote_at is not None
        and as_utc(current.updated_remote_at) == invoice.updated_at
    )


def _payment_unchanged(current: AccountingPayment, payment: BookPayment) -> bool:
    return (
        not current.deleted
        and current.updated_remote_at is not None
        and as_utc(current.updated_remote_at) == payment.updated_at
    )


def _copy_payment(payment: BookPayment, row: AccountingPayment) -> None:
    row.txn_date, row.total_cents = payment.txn_date, payment.total_cents
    row.unapplied_cents = payment.unapplied_cents
    row.reference, row.customer_ref = payment.reference[:100], payment.customer_ref[:64]
    row.deleted, row.updated_remote_at = False, payment.updated_at


def _copy(invoice: BookInvoice, row: AccountingInvoice) -> None:
    row.job_id, row.doc_number, row.customer_ref = (
        invoice.job_id,
        invoice.doc_number[:40],
        invoice.customer_ref,
    )
    row.txn_date, row.due_date = invoice.txn_date, invoice.due_date
    row.total_cents = invoice.total_cents
    row.balance_cents, row.status = invoice.balance_cents, invoice.status
    row.updated_remote_at = invoice.updated_at


def _cost_line(
    provider: Provider, line: BookCostLine, mapping: CostCategoryMapping | None
) -> dict[str, Any]:
    """A CostLine row, as values for a multi-row insert."""
    now = utcnow()
    return {
        "id": uuid.uuid4(),
        "provider": provider,
        "txn_type": line.txn_type,
        "txn_id": line.txn_id,
        "line_id": line.line_id,
        "job_id": line.job_id,
        "allocation": line.allocation,
        "allocated_to": line.allocated_to[:200],
        "category": mapping.category if mapping else CostCategory.OTHER,
        "amount_cents": line.amount_cents,
        "txn_date": line.txn_date,
        "vendor_name": line.vendor_name[:200],
        "account_name": mapping.external_name if mapping else "",
        "description": line.description[:2000],
        "created_at": now,
        "updated_at": now,
    }


books_service = BooksService()
