"""The accounting port: what the rest of roofops needs of the system a company keeps its
books in (QuickBooks Online today, Xero next), the same whichever it is.

Connecting is each vendor's own (their consent screens differ). Above this port everything is
alike: whether a sync can start and why not, requesting one, its latest run. A provider's sync
writes what the books say through financials' write API (``roofops.financials.books``), so
financials never knows which provider it was.

Pushing an invoice goes through a :class:`BooksWriter`: the vendor-free :class:`InvoiceToPush`
goes in, the books' id comes out. Each writer keys its writes by (invoice, operation) so that a
retry is answered instead of repeated, and looks the number up before any create (see
roofops.integrations.invoicing for the exactly-once rule built on it).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy.orm import Session, sessionmaker

from roofops.config import Settings
from roofops.exceptions import Conflict
from roofops.integrations.core.connections import ConnectionView
from roofops.integrations.core.repository import ConnectionRepository
from roofops.integrations.core.runner import VendorSync, request_sync
from roofops.integrations.core.runs import is_alive, latest_run
from roofops.models.enums import Provider
from roofops.models.integration import HOLDS_THE_BOOKS, IntegrationConnection, SyncRun

# The systems a company may keep its books in, as people spell them: one at a time.
BOOKS_PROVIDERS = {Provider.QUICKBOOKS: "QuickBooks", Provider.XERO: "Xero"}


class OtherBooksConnected(Conflict):
    code = "accounting_already_connected"


def holds_the_books(db: Session, provider: Provider) -> bool:
    return row_holds_the_books(ConnectionRepository(db).by_provider(provider))


def row_holds_the_books(row: IntegrationConnection | None) -> bool:
    return row is not None and row.status in HOLDS_THE_BOOKS


def books_connected_elsewhere(db: Session, provider: Provider) -> str:
    """The label of the other accounting system this company is connected to, or ""."""
    for other, label in BOOKS_PROVIDERS.items():
        if other != provider and holds_the_books(db, other):
            return label
    return ""


def refuse_second_books(db: Session, provider: Provider) -> None:
    """A company connects QuickBooks or Xero: two sets of books would fight over every figure."""
    if other := books_connected_elsewhere(db, provider):
        wanted = BOOKS_PROVIDERS[provider]
        raise OtherBooksConnected(
            f"{other} is already connected: this company keeps its books in {other}. "
            f"Disconnect {other} first to connect {wanted} instead."
        )


class PeriodClosed(Conflict):
    """The books are locked through a date on or after the document's."""

    code = "accounting_period_closed"


# The books' lock date as last read (each books sync and each push read it), on the connection.
LOCK_OPTION = "locked_through"


def remember_lock_date(db: Session, provider: Provider, locked_through: date | None) -> None:
    value = locked_through.isoformat() if locked_through else ""
    ConnectionRepository(db).set_option(provider, LOCK_OPTION, value)


def remembered_lock_date(db: Session, provider: Provider) -> date | None:
    stored = ConnectionRepository(db).option(provider, LOCK_OPTION, "")
    return date.fromisoformat(stored) if stored else None


def refuse_if_closed(label: str, locked_through: date | None, what: str, dated: date) -> None:
    """Nothing is written dated inside a period the books have locked; say which date."""
    if locked_through is not None and dated <= locked_through:
        raise PeriodClosed(
            f"{label} is closed through {locked_through.isoformat()}: {what} is dated "
            f"{dated.isoformat()}. Date it after the closing date or ask your bookkeeper to "
            "reopen the period.",
            field="issue_date",
        )


@dataclass(frozen=True)
class LineToPush:
    description: str
    quantity: Decimal
    unit_price_cents: int
    amount_cents: int


@dataclass(frozen=True)
class InvoiceToPush:
    """One of our invoices as any accounting system takes it (no vendor in sight)."""

    invoice_id: uuid.UUID
    number: str  # QuickBooks DocNumber, Xero InvoiceNumber
    job_id: uuid.UUID
    job_number: str
    job_name: str
    customer_id: uuid.UUID
    customer_name: str
    customer_email: str
    payer: str  # "homeowner", "insurance carrier", "financing"
    payer_name: str
    kind: str
    issue_date: date
    due_date: date
    memo: str
    lines: tuple[LineToPush, ...]
    total_cents: int

    def key(self, operation: str) -> str:
        """The idempotency key of one write of this invoice: the same for every retry
        (QuickBooks takes at most 50 characters, Xero 128)."""
        return f"roofops-{operation}-{self.invoice_id.hex}"

    @property
    def note(self) -> str:
        """The memo that names who pays it (the books show the homeowner's project or
        contact even when the carrier or a lender pays)."""
        paid_by = f"{self.kind.replace('_', ' ')} invoice, paid by the {self.payer}"
        head = f"{paid_by}: {self.payer_name}" if self.payer_name else paid_by
        return f"{head}. {self.memo}".strip() if self.memo else head


@dataclass(frozen=True)
class RemoteInvoice:
    accounting_id: str
    total_cents: int
    voided: bool = False


class BooksWriter(Protocol):
    """The writes of one connected accounting system (one client, one organisation)."""

    label: str

    def locked_through(self) -> date | None:
        """The last day the books refuse writes on (closing or lock date), if any."""
        ...

    def find_invoice(self, number: str) -> RemoteInvoice | None:
        """The invoice the books hold under our number, if any."""
        ...

    def create_invoice(self, invoice: InvoiceToPush) -> RemoteInvoice:
        """Create it (with its customer or contact, created first if missing), keyed so that a
        retry after a lost answer is answered instead of repeated."""
        ...

    def void_invoice(self, accounting_id: str, invoice: InvoiceToPush) -> None:
        """Void it; raises with the vendor's message when the books refuse."""
        ...


class AccountingProvider(Protocol):
    provider: Provider
    label: str  # "QuickBooks"

    @property
    def sync(self) -> VendorSync[Any]:
        """How its books are read (the runner carries it out)."""
        ...

    def problem_of(self, connection: IntegrationConnection | None, settings: Settings) -> str:
        """What its sync's ``problem()`` would say, judged from its connection row (read once
        for every provider a page asks about)."""
        ...

    def view(self, db: Session, settings: Settings) -> ConnectionView:
        """The connection as it stands (never a token)."""
        ...

    def books_writer(self, sessions: sessionmaker[Session], settings: Settings) -> BooksWriter:
        """Writes to the connected books (call it outside any transaction of your own: the
        client refreshes tokens in sessions of its own)."""
        ...


@dataclass(frozen=True)
class AccountingState:
    """Whether a sync from the books can start, what someone has to do if not, and the latest
    run (``active`` while it still works)."""

    provider: Provider
    label: str
    problem: str
    last_run: SyncRun | None

    @property
    def ready(self) -> bool:
        return not self.problem

    @property
    def active(self) -> bool:
        return self.last_run is not None and is_alive(self.last_run)


def accounting_state(db: Session, accounting: AccountingProvider, problem: str) -> AccountingState:
    """``problem``: what its sync's ``problem()`` said (the caller has asked it already)."""
    last = latest_run(db, accounting.provider)
    return AccountingState(accounting.provider, accounting.label, problem, last)


def request_books_sync(
    db: Session, settings: Settings, accounting: AccountingProvider, *, full: bool, by: str
) -> SyncRun:
    """A sync of the books, refused (409) before any run exists when it could only fail."""
    return request_sync(db, settings, accounting.sync, full=full, triggered_by=by)
