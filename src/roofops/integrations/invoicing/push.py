"""Pushing our invoices into the books exactly once, voiding them there, and closed periods.

Exactly once rests on two things, because either alone fails somewhere:

1. every write carries an idempotency key derived from the invoice and the operation
   (QuickBooks ``requestid``, Xero ``Idempotency-Key``), the same on every retry: a write
   whose answer was lost (or timed out) and is retried is answered from the vendor's replay;
2. before any create, the books are asked for our invoice number (QuickBooks ``DocNumber``,
   Xero ``InvoiceNumber``): a vendor keeps keys for minutes (Xero six), and a push retried a
   day later must find what the first one created.

A push never holds a database transaction across a vendor call: the invoice is read, the vendor
is called, the outcome is written, each in its own short unit of work.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from roofops.config import Settings, get_settings
from roofops.exceptions import Conflict, RoofOpsError
from roofops.integrations.accounting import company_accounting
from roofops.integrations.core.accounting import (
    AccountingProvider,
    BooksWriter,
    InvoiceToPush,
    LineToPush,
    RemoteInvoice,
    refuse_if_closed,
    remember_lock_date,
    remembered_lock_date,
    row_holds_the_books,
)
from roofops.integrations.core.repository import ConnectionRepository
from roofops.invoice.amounts import dollars
from roofops.invoice.push_state import (
    awaiting_push,
    company_today,
    invoice_to_push,
    mark_failed,
    mark_pushed,
    request_push,
    start_attempt,
)
from roofops.kit.http import VendorError
from roofops.logging import get_logger
from roofops.models.enums import Provider
from roofops.models.invoice import Invoice, InvoiceStatus, PushStatus
from roofops.worker.queue import enqueue

log = get_logger(__name__)

PUSH_TASK = "invoicing.push"
# The last lock date read from the books, on the connection row: generating an invoice
# dated inside it is refused without a call to the vendor.
NO_BOOKS = (
    "No accounting system is connected: connect QuickBooks or Xero in Settings > Integrations "
    "to push invoices to the books"
)

WriterFactory = Callable[[AccountingProvider, sessionmaker[Session], Settings], BooksWriter]


def connected_writer(
    accounting: AccountingProvider, sessions: sessionmaker[Session], settings: Settings
) -> BooksWriter:
    return accounting.books_writer(sessions, settings)


class InvoicePushService:
    """``writer_factory`` builds the writer of the connected books (tests and the bench hand
    in one whose client has their timeouts)."""

    def __init__(self, writer_factory: WriterFactory = connected_writer) -> None:
        self.writer_factory = writer_factory

    # ----- asked for (in the caller's transaction) ------------------------------------------
    def request(
        self, db: Session, settings: Settings, invoice_id: uuid.UUID, *, queue: bool = True
    ) -> tuple[Invoice, bool]:
        """Mark the invoice pending and queue its push; whether a push was asked for (not for
        one already in the books or on its way). 409 when no books are connected. ``queue``
        False: the caller pushes it itself (the command line)."""
        books_of(db, settings)
        invoice = invoice_to_push(db, invoice_id, lock=True)
        queued = request_push(invoice)
        if queued and queue:
            enqueue(db, PUSH_TASK, invoice_id=str(invoice.id))
        db.flush()
        return invoice, queued

    def request_all(self, db: Session, settings: Settings) -> int:
        """Queue a push of every invoice not in the books yet (or whose push failed)."""
        books_of(db, settings)
        return sum(self.request(db, settings, invoice_id)[1] for invoice_id in awaiting_push(db))

    # ----- carried out (the task: no transaction across a vendor call) -----------------------
    def push(
        self, sessions: sessionmaker[Session], settings: Settings, invoice_id: uuid.UUID
    ) -> PushStatus:
        """Push one invoice; its push state says how it went (pushed, or failed with the
        vendor's message). Transient faults were already retried by the client, with backoff
        honouring ``Retry-After``, until its time budget ran out."""
        with sessions.begin() as db:
            invoice = invoice_to_push(db, invoice_id, lock=True)
            if invoice.push_status == PushStatus.PUSHED or invoice.status == InvoiceStatus.VOID:
                return invoice.push_status
            start_attempt(invoice)
            snapshot = to_push(invoice)
        try:
            accounting = self._accounting(sessions, settings)
            accounting_id = self._write(sessions, settings, accounting, snapshot)
        except RoofOpsError as failed:  # VendorError included: the vendor's own message
            log.warning("invoice.push.failed", number=snapshot.number, error=failed.message)
            return self._outcome(sessions, invoice_id, error=failed.message)
        except Exception as broken:
            # Never left pending by a bug of ours: failed, said so, and raised for the worker.
            message = f"the push stopped on an unexpected error ({type(broken).__name__})"
            self._outcome(sessions, invoice_id, error=message)
            raise
        log.info("invoice.pushed", number=snapshot.number, accounting_id=accounting_id)
        return self._outcome(sessions, invoice_id, pushed=(accounting.provider, accounting_id))

    def _accounting(
        self, sessions: sessionmaker[Session], settings: Settings
    ) -> AccountingProvider:
        with sessions() as db:
            return books_of(db, settings)

    def _write(
        self,
        sessions: sessionmaker[Session],
        settings: Settings,
        accounting: AccountingProvider,
        invoice: InvoiceToPush,
    ) -> str:
        """Look the number up, then create: never a second invoice."""
        writer = self.writer_factory(accounting, sessions, settings)
        refuse_closed_in(sessions, writer, accounting.provider, invoice, invoice.issue_date)
        found = writer.find_invoice(invoice.number)
        if found is not None:
            refuse_a_different_invoice(writer.label, invoice, found)
            log.info("invoice.push.found", number=invoice.number, accounting_id=found.accounting_id)
            return found.accounting_id
        return writer.create_invoice(invoice).accounting_id

    def _outcome(
        self,
        sessions: sessionmaker[Session],
        invoice_id: uuid.UUID,
        *,
        pushed: tuple[Provider, str] | None = None,
        error: str = "",
    ) -> PushStatus:
        with sessions.begin() as db:
            invoice = invoice_to_push(db, invoice_id, lock=True)
            if pushed is not None:
                mark_pushed(invoice, *pushed, company_today(db))
            else:
                mark_failed(invoice, error, company_today(db))
            return invoice.push_status

    # ----- voiding (the invoice service's hook) ----------------------------------------------
    def void(self, db: Session, settings: Settings, invoice: Invoice) -> None:
        """Void a pushed invoice in the books, in their closed-period rules; a refusal raises
        with the vendor's message before anything changes here."""
        sessions = sessions_beside(db)
        accounting = accounting_of(db, settings, invoice.accounting_provider)
        snapshot = to_push(invoice_to_push(db, invoice.id))
        writer = self.writer_factory(accounting, sessions, settings)
        refuse_closed_in(sessions, writer, accounting.provider, snapshot, snapshot.issue_date)
        try:
            writer.void_invoice(invoice.accounting_id, snapshot)
        except VendorError as refused:
            raise Conflict(
                f"{accounting.label} refused to void invoice {invoice.number}: {refused.message}",
                field="status",
            ) from refused


def books_of(db: Session, settings: Settings) -> AccountingProvider:
    """The connected accounting system, or 409 saying what to do."""
    accounting, problem = company_accounting(db, settings)
    if not problem:
        return accounting
    connected = row_holds_the_books(ConnectionRepository(db).by_provider(accounting.provider))
    raise Conflict(problem if connected else NO_BOOKS)


def accounting_of(db: Session, settings: Settings, provider: Provider | None) -> AccountingProvider:
    """The system the invoice was pushed to; it must still be the connected one."""
    accounting = books_of(db, settings)
    if provider is not None and accounting.provider != provider:
        raise Conflict(
            f"this invoice is in {provider.label}, but {accounting.label} is connected now: "
            f"void it in {provider.label} by hand"
        )
    return accounting


def refuse_closed_in(
    sessions: sessionmaker[Session],
    writer: BooksWriter,
    provider: Provider,
    invoice: InvoiceToPush,
    dated: date,
) -> None:
    """Read the books' lock date (remembered for invoice generation), then refuse a write
    dated inside it before any write is sent."""
    locked = writer.locked_through()
    with sessions.begin() as db:
        remember_lock_date(db, provider, locked)
    refuse_if_closed(writer.label, locked, f"invoice {invoice.number}", dated)


class NumberTakenInBooks(Conflict):
    code = "invoice_number_taken_in_books"


def refuse_a_different_invoice(label: str, invoice: InvoiceToPush, found: RemoteInvoice) -> None:
    """The books' invoice under our number is ours (an earlier try whose answer was lost) only
    if it is the same invoice: same total, not voided. One a bookkeeper raised there under the
    job number is never taken for ours: a payment against it would settle ours wrongly."""
    if found.voided:
        raise NumberTakenInBooks(
            f"{label} holds a voided invoice numbered {invoice.number}: void this invoice and "
            f"raise it again (it takes the next number), or renumber the one in {label}."
        )
    if found.total_cents != invoice.total_cents:
        raise NumberTakenInBooks(
            f"{label} already holds an invoice numbered {invoice.number}, for "
            f"{dollars(found.total_cents)}; this one is {dollars(invoice.total_cents)}. It was "
            f"raised in {label}, not by roofops: if it is the same bill, void this invoice (the "
            f"books' copy counts); if not, renumber the one in {label} and push again."
        )


def refuse_generating_closed(db: Session, settings: Settings, issue_date: date) -> None:
    """An invoice dated inside the last lock date read from the connected books is refused
    (no vendor call: the date was stored at the last sync or push)."""
    accounting, problem = company_accounting(db, settings)
    if problem:
        return
    locked = remembered_lock_date(db, accounting.provider)
    refuse_if_closed(accounting.label, locked, "this invoice", issue_date)


def sessions_beside(db: Session) -> sessionmaker[Session]:
    """Sessions for the client's token store and the links while ``db``'s transaction is open.

    On SQLite the request holds the write lock (BEGIN IMMEDIATE) until it ends: a session of its
    own would wait on it forever, so they are savepoints of the request's own connection (a
    token rotated there is kept only if the request commits; QuickBooks' previous refresh token
    stays valid for a day, Xero's for 30 minutes). On PostgreSQL they are sessions of their own,
    so a rotated token is committed at once whatever the request does.
    """
    bind = db.get_bind()
    if bind.dialect.name == "sqlite" and isinstance(bind, sa.Engine):
        bind = db.connection()
    return sessionmaker(bind=bind, join_transaction_mode="create_savepoint", expire_on_commit=False)


def to_push(invoice: Invoice) -> InvoiceToPush:
    job = invoice.job
    return InvoiceToPush(
        invoice_id=invoice.id,
        number=invoice.number,
        job_id=job.id,
        job_number=job.number,
        job_name=job.name,
        customer_id=job.customer.id,
        customer_name=job.customer.display_name,
        customer_email=job.customer.email or "",
        payer=invoice.payer_kind.value.replace("_", " "),
        payer_name=invoice.payer_name,
        kind=invoice.kind.value,
        issue_date=invoice.issue_date,
        due_date=invoice.due_date,
        memo=invoice.memo,
        lines=tuple(
            LineToPush(line.description, line.quantity, line.unit_price_cents, line.amount_cents)
            for line in invoice.lines
        ),
        total_cents=invoice.total_cents,
    )


invoice_push = InvoicePushService()


class PushedInvoiceBooks:
    """The invoice domain's port to the books (roofops.invoice.books), wired in by the
    composition root: closed periods when generating, voids of pushed invoices."""

    def __init__(self, push: InvoicePushService = invoice_push) -> None:
        self.push = push

    def refuse_closed(self, db: Session, issue_date: date) -> None:
        refuse_generating_closed(db, get_settings(), issue_date)

    def void(self, db: Session, invoice: Invoice) -> None:
        self.push.void(db, get_settings(), invoice)


invoice_books = PushedInvoiceBooks()
