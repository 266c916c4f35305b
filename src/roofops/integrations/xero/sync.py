"""Read the Xero books' changes and turn them into job figures, all or nothing.

An incremental read asks for the invoices (ACCREC and ACCPAY), credit notes and payments
changed since the cursor minus an overlap (``If-Modified-Since``, walked oldest first by the
client). Xero keeps deleted and voided documents and returns them with their status, so an
incremental read sees a deletion as a change (a payment comes back with ``Status: DELETED``).
Only customer payments (ACCRECPAYMENT) are kept, each applied to its one invoice. A full read
(asked for, or the first) reads everything and also reconciles: what we hold that the books no
longer return stops counting. Documents are fetched first and written in ONE transaction with
the recomputed figures, our invoices' paid amounts and the new cursor: a sync that fails
anywhere leaves the last good figures as they were. Figures are written through
``roofops.financials.books`` with the source XERO, which never overwrites a manual figure.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from roofops.financials.books import (
    BookAccount,
    BookCostLine,
    BookInvoice,
    BookPayment,
    BookPaymentAllocation,
    books_service,
)
from roofops.integrations.core.repository import SyncCursorRepository
from roofops.integrations.core.runs import MAX_STORED_ERRORS, SyncRunRecorder
from roofops.integrations.core.settlement import settle_from_books
from roofops.integrations.xero.client import XeroClient
from roofops.integrations.xero.ledger import (
    CUSTOMER_PAYMENT,
    DELETED,
    PAYABLE,
    PAYABLE_CREDIT,
    RECEIVABLE,
    RECEIVABLE_CREDIT,
    CostRow,
    ReceivableRow,
    cost_account,
    cost_rows,
    counts,
    credit_row,
    guess_category,
    invoice_row,
)
from roofops.integrations.xero.schemas import Account, CreditNote, Invoice, Payment
from roofops.kit.money import from_cents, to_cents
from roofops.kit.time import as_utc, utcnow
from roofops.logging import get_logger
from roofops.models.enums import Provider
from roofops.models.financials import CostAllocation
from roofops.models.integration import SyncRunError

log = get_logger(__name__)

SOURCE = Provider.XERO
STREAM = "ledger"
OVERLAP = timedelta(minutes=5)
COST_LINE = "cost line"
COST_TYPES = (PAYABLE, PAYABLE_CREDIT)


@dataclass
class Changes:
    invoices: list[Invoice] = field(default_factory=list)
    credit_notes: list[CreditNote] = field(default_factory=list)
    accounts: list[Account] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)  # customer payments only
    whole: bool = False  # everything the books hold: what is missing was deleted there
    newest: datetime | None = None

    @property
    def count(self) -> int:
        return len(self.invoices) + len(self.credit_notes) + len(self.payments)

    @property
    def documents(self) -> list[Invoice | CreditNote]:
        return [*self.invoices, *self.credit_notes]


def read_changes(client: XeroClient, since: datetime | None, *, full: bool) -> Changes:
    """Everything (``full`` or no cursor), else what changed since ``since`` minus the overlap."""
    after = None if full or since is None else as_utc(since) - OVERLAP
    changes = Changes(whole=after is None, accounts=client.accounts())
    changes.invoices = list(client.changed(Invoice, after))
    changes.credit_notes = list(client.changed(CreditNote, after))
    payments = list(client.changed(Payment, after))
    changes.payments = [p for p in payments if p.payment_type == CUSTOMER_PAYMENT]
    stamps = [record.updated_date_utc for record in [*changes.documents, *payments]]
    changes.newest = max(stamps, default=None)
    return changes


class LedgerWriter:
    """One read's documents, written through financials' port in the caller's transaction."""

    def __init__(
        self, db: Session, recorder: SyncRunRecorder, number_pattern: str, job_category: str
    ) -> None:
        self.db, self.recorder = db, recorder
        self.pattern = re.compile(number_pattern)
        self.job_category = job_category
        self.books = books_service.update(db, SOURCE)
        self.unallocated: list[CostRow] = []

    def apply(self, changes: Changes, now: datetime) -> int:
        self.books.categorize(_accounts(changes.accounts))
        live = [document for document in changes.documents if counts(document)]
        gone = [document for document in changes.documents if not counts(document)]
        self._receivables(live)
        self._costs([d for d in live if d.type in COST_TYPES])
        self.books.remove(
            [d.record_id for d in gone if d.type in (RECEIVABLE, RECEIVABLE_CREDIT)],
            {kind: [d.record_id for d in gone if d.type == kind] for kind in COST_TYPES},
        )
        self._payments(changes.payments)
        if changes.whole:
            self._reconcile(live)
            self.books.reconcile_payments(
                {p.payment_id for p in changes.payments if p.status != DELETED}
            )
        moved = self.books.finish(now)
        settle_from_books(self.db, self.books)
        self._report_unallocated(now)
        self._count()
        return moved

    def _reconcile(self, live: Sequence[Invoice | CreditNote]) -> None:
        receivables = {d.record_id for d in live if d.type in (RECEIVABLE, RECEIVABLE_CREDIT)}
        costs = {kind: {d.record_id for d in live if d.type == kind} for kind in COST_TYPES}
        self.books.reconcile(receivables, costs)

    def _receivables(self, documents: Sequence[Invoice | CreditNote]) -> None:
        rows = [
            invoice_row(d, self.pattern) if isinstance(d, Invoice) else credit_row(d, self.pattern)
            for d in documents
            if d.type in (RECEIVABLE, RECEIVABLE_CREDIT)
        ]
        stamps = {d.record_id: d.updated_date_utc for d in documents}
        jobs = self.books.job_ids(row.job_number for row in rows if row.job_number)
        self.books.record_invoices([_book_invoice(row, jobs, stamps) for row in rows])

    def _payments(self, payments: Sequence[Payment]) -> None:
        self.books.record_payments([_book_payment(p) for p in payments if p.status != DELETED])
        self.books.remove_payments([p.payment_id for p in payments if p.status == DELETED])

    def _costs(self, documents: Sequence[Invoice | CreditNote]) -> None:
        rows = [row for d in documents for row in cost_rows(d, self.job_category)]
        jobs = self.books.job_ids(row.job_number for row in rows if row.job_number)
        lines = [_book_line(row, jobs.get(row.job_number or "")) for row in rows]
        self.unallocated += [
            row
            for row, line in zip(rows, lines, strict=True)
            if line.allocation == CostAllocation.UNALLOCATED
        ]
        by_type = {kind: [d.record_id for d in documents if d.type == kind] for kind in COST_TYPES}
        self.books.replace_cost_lines(by_type, lines)

    def _report_unallocated(self, now: datetime) -> None:
        """Findings about the books, not failures: the run stays SUCCEEDED."""
        self.recorder.counts.warnings += len(self.unallocated)
        self.db.add_all(
            SyncRunError(
                run_id=self.recorder.run_id,
                record_type=COST_LINE,
                external_id=f"{row.txn_type} {row.txn_id}"[:64],
                message=_unallocated_reason(row),
                created_at=now,
            )
            for row in self.unallocated[:MAX_STORED_ERRORS]
        )

    def _count(self) -> None:
        counts_ = self.recorder.counts
        for documents in (self.books.counts, self.books.payment_counts):
            counts_.created += documents.created
            counts_.updated += documents.updated + documents.removed
            counts_.unchanged += documents.unchanged


def _accounts(accounts: Sequence[Account]) -> list[BookAccount]:
    return [
        BookAccount(("account", a.code), a.name, guess_category(a.name))
        for a in accounts
        if cost_account(a)
    ]


def _book_invoice(
    row: ReceivableRow, jobs: dict[str, uuid.UUID], stamps: dict[str, datetime]
) -> BookInvoice:
    return BookInvoice(
        external_id=row.external_id,
        job_id=jobs.get(row.job_number or ""),
        doc_number=row.number,
        customer_ref=row.contact_id,
        txn_date=row.txn_date,
        total_cents=row.total_cents,
        balance_cents=row.balance_cents,
        status=row.status,
        updated_at=stamps[row.external_id],
        due_date=row.due_date,
    )


def _book_payment(payment: Payment) -> BookPayment:
    """A Xero payment pays one invoice, all of it applied."""
    cents = to_cents(payment.amount)
    return BookPayment(
        external_id=payment.payment_id,
        txn_date=payment.date,
        total_cents=cents,
        unapplied_cents=0,
        reference=payment.reference,
        customer_ref="",
        updated_at=payment.updated_date_utc,
        allocations=(BookPaymentAllocation(payment.invoice.invoice_id, cents),),
    )


def _book_line(row: CostRow, job_id: uuid.UUID | None) -> BookCostLine:
    if job_id is not None:
        allocation = CostAllocation.JOB
    else:
        allocation = CostAllocation.UNALLOCATED if row.tracked_to else CostAllocation.OVERHEAD
    return BookCostLine(
        txn_type=row.txn_type,
        txn_id=row.txn_id,
        line_id=row.line_id,
        job_id=job_id,
        allocation=allocation,
        allocated_to=row.tracked_to,
        mapping=("account", row.account_code),
        amount_cents=row.amount_cents,
        txn_date=row.txn_date,
        vendor_name=row.vendor_name,
        description=row.description,
    )


def _unallocated_reason(row: CostRow) -> str:
    where = ", ".join(filter(None, (row.vendor_name, str(row.txn_date or ""))))
    return (
        f"{row.txn_type} {row.txn_id} line {row.line_id} ({where}, "
        f"${from_cents(row.amount_cents):,}): tracked to {row.tracked_to!r}, which is not one of "
        "our jobs. Kept as unallocated cost until the line is tracked to a job's option."
    )


def cursor(db: Session) -> datetime | None:
    return SyncCursorRepository(db).position(SOURCE, STREAM)


def move_cursor(db: Session, position: datetime | None) -> None:
    if position is not None:
        SyncCursorRepository(db).move(SOURCE, STREAM, position, utcnow())
