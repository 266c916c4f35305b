"""Both fake accounting systems behind one uvicorn server, a job with an invoice to push, and
a :class:`Books` per provider that drives its fake's faults and counts what it holds.

The push runs through the real path (roofops.integrations.invoicing) over real HTTP; only the
client is built here, so that its timeout is short and its retry waits are recorded (they move
the fake's rate-limit clock) instead of slept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, cast

import pytest
from sqlalchemy.orm import Session, sessionmaker

from roofops.auth.principal import Principal
from roofops.config import Settings
from roofops.integrations.core.accounting import AccountingProvider, BooksWriter, InvoiceToPush
from roofops.integrations.invoicing.push import InvoicePushService, PushedInvoiceBooks, to_push
from roofops.integrations.quickbooks.client import QuickBooksClient
from roofops.integrations.quickbooks.push import QuickBooksBooksWriter
from roofops.integrations.xero.client import XeroClient
from roofops.integrations.xero.push import XeroBooksWriter
from roofops.invoice.push_state import invoice_to_push
from roofops.invoice.schemas import InvoiceGenerate
from roofops.invoice.service import invoice_service
from roofops.kit.http import RateLimiter, RetryPolicy
from roofops.models import ActorType, IntegrationConnection, Invoice, Job, JobStage, Provider, Role
from roofops.models.enums import ConnectionStatus
from roofops.models.invoice import InvoiceKind
from roofops.sandbox.clock import FakeClock
from roofops.sandbox.quickbooks.control import Limits
from roofops.sandbox.quickbooks.fake import DEFAULT_REALM, FakeQuickBooks
from roofops.sandbox.server import serving
from tests.factories import make_job
from tests.fakes import Monotonic, RecordingSleep, SwappableApp
from tests.integrations.quickbooks.conftest import START
from tests.sandbox.xero.harness import XeroHarness, fresh_xero

JOB_NUMBER, CONTRACT = "5003", 1_845_000
ISSUED = date.today()  # due a month on: sent, not overdue
# Short enough that a stalled write trips it in a test; the fake stalls twice as long.
CLIENT_TIMEOUT, STALL = 0.4, 0.8
# Retry by the clock of the recorded sleeps: a storm of minutes passes in milliseconds.
RETRY = RetryPolicy(give_up_after=240.0, base_delay=0.5, max_delay=60.0)
ONE_TRY = RetryPolicy(give_up_after=240.0, attempts=1)


@dataclass
class Books:
    """One fake accounting system as a push test sees it."""

    provider: Provider
    label: str
    fake: Any
    sleep: RecordingSleep
    clock: FakeClock
    url: str
    make_client: Callable[[RetryPolicy], Any]
    retry: RetryPolicy = field(default=RETRY)

    # ----- wiring ----------------------------------------------------------------------------
    def writer(
        self, _accounting: AccountingProvider, sessions: sessionmaker[Session], settings: Settings
    ) -> BooksWriter:
        client = self.make_client(self.retry)
        if self.provider == Provider.QUICKBOOKS:
            return QuickBooksBooksWriter(sessions, client)
        return XeroBooksWriter(sessions, client, settings)

    def service(self) -> InvoicePushService:
        return InvoicePushService(self.writer)

    def connect(self, db: Session) -> None:
        row = IntegrationConnection(provider=self.provider, status=ConnectionStatus.CONNECTED)
        row.account_id = self.tenant if self.provider == Provider.XERO else DEFAULT_REALM
        db.add(row)
        db.flush()

    # ----- faults ----------------------------------------------------------------------------
    def lose_answers(self, count: int) -> None:
        self.fake.faults.lost_writes = count

    def stall_writes(self, count: int) -> None:
        self.fake.faults.slow_seconds = STALL
        self.fake.faults.stalled_writes = count

    def without_rate_limits(self) -> None:
        """For a client that must not retry: the fake's limit clock only moves with sleeps."""
        limits = (
            self.fake.limits if self.provider == Provider.QUICKBOOKS else self.fake.limits.limits
        )
        limits.enabled = False

    def storm(self, seconds: float) -> None:
        if self.provider == Provider.QUICKBOOKS:
            self.fake.throttle.storm(seconds)
        else:
            self.fake.limits.storm(seconds)

    def later(self, minutes: int) -> None:
        """The fake's clock moves on (past Xero's six-minute key window)."""
        self.clock.advance(timedelta(minutes=minutes))

    def close(self, through: date) -> None:
        if self.provider == Provider.QUICKBOOKS:
            self.fake.close_books(through)
        else:
            self.fake.books(self.tenant).set_lock_dates(period=through)

    # ----- what the books hold ---------------------------------------------------------------
    @property
    def tenant(self) -> str:
        return str(next(iter(self.fake.organisations)))

    def invoices_numbered(self, number: str) -> list[dict[str, Any]]:
        if self.provider == Provider.QUICKBOOKS:
            rows = self.fake.books(DEFAULT_REALM).rows("Invoice")
            return [row for row in rows if row.get("DocNumber") == number]
        rows = self.fake.books(self.tenant).rows("Invoices")
        return [row for row in rows if row.get("InvoiceNumber") == number]

    def invoice_writes(self) -> int:
        """Write requests that reached the invoice endpoint (answered or not)."""
        path = "/invoice" if self.provider == Provider.QUICKBOOKS else "/Invoices"
        return sum(
            1
            for entry in self.fake.requests.entries()
            if entry.method in ("POST", "PUT") and entry.path.endswith(path)
        )

    def is_voided(self, accounting_id: str) -> bool:
        if self.provider == Provider.QUICKBOOKS:
            return bool(self.fake.books(DEFAULT_REALM).is_voided(accounting_id))
        row = self.fake.books(self.tenant).get("Invoices", accounting_id)
        return bool(row and row["Status"] == "VOIDED")

    def pay(self, accounting_id: str, amount: Decimal) -> None:
        """A payment entered in the books, applied to the invoice."""
        if self.provider == Provider.QUICKBOOKS:
            books = self.fake.books(DEFAULT_REALM)
            invoice = books.get("Invoice", accounting_id)
            line = {"Amount": amount, "LinkedTxn": [{"TxnId": accounting_id, "TxnType": "Invoice"}]}
            body = {"CustomerRef": invoice["CustomerRef"], "TotalAmt": amount, "Line": [line]}
            books.add("Payment", body)
            return
        from roofops.sandbox.xero.payments import create_payment

        payment = {"Invoice": {"InvoiceID": accounting_id}, "Account": {"Code": "090"}}
        create_payment(
            self.fake.books(self.tenant), payment | {"Date": "2025-06-02", "Amount": amount}
        )


@pytest.fixture(scope="session")
def books_server() -> Iterator[tuple[SwappableApp, str]]:
    app = SwappableApp()
    with serving(app) as url:
        yield app, url


def quickbooks_books(server: tuple[SwappableApp, str]) -> Books:
    swappable, url = server
    clock, monotonic = FakeClock(START), Monotonic()
    fake = FakeQuickBooks(clock=clock, monotonic=monotonic, limits=Limits())
    books = fake.add_company(DEFAULT_REALM)
    books.add("Item", {"Name": "Roof Replacement", "Type": "Service"})
    swappable.app = fake.app()
    sleep = RecordingSleep(monotonic)

    def client(retry: RetryPolicy) -> QuickBooksClient:
        token = str(fake.issue_tokens(DEFAULT_REALM)["access_token"])  # fresh on the fake's clock
        return QuickBooksClient(
            DEFAULT_REALM,
            lambda: token,
            base_url=url,
            sleep=sleep,
            timeout=CLIENT_TIMEOUT,
            retry=retry,
            limiter=RateLimiter(1000.0, 1000, sleep=sleep),
        )

    return Books(Provider.QUICKBOOKS, "QuickBooks", fake, sleep, clock, url, client)


def xero_books(server: tuple[SwappableApp, str]) -> Books:
    xero: XeroHarness = fresh_xero(server)
    xero.fake.organisations.pop(xero.holdings.tenant_id)  # one organisation: the roofing one
    xero.roofing.add_tracking_category("Job", [f"{JOB_NUMBER} Cooper reroof", "5004 Lee"])

    def client(retry: RetryPolicy) -> XeroClient:
        token = xero.token(xero.roofing.tenant_id)  # fresh on the fake's clock
        return XeroClient(
            xero.roofing.tenant_id,
            lambda: token,
            base_url=xero.url,
            sleep=xero.sleep,
            timeout=CLIENT_TIMEOUT,
            retry=retry,
            limiter=RateLimiter(1000.0, 1000, sleep=xero.sleep),
        )

    return Books(Provider.XERO, "Xero", xero.fake, xero.sleep, xero.clock, xero.url, client)


@pytest.fixture(params=[Provider.QUICKBOOKS, Provider.XERO], ids=["quickbooks", "xero"])
def books(request: pytest.FixtureRequest, books_server: tuple[SwappableApp, str]) -> Books:
    make = quickbooks_books if request.param == Provider.QUICKBOOKS else xero_books
    return make(books_server)


@pytest.fixture
def finance() -> Principal:
    return Principal(None, "finance@example.com", "Fin", Role.FINANCE, ActorType.USER)


@pytest.fixture
def job(db: Session) -> Job:
    return make_job(db, number=JOB_NUMBER, stage=JobStage.CONTRACT_SIGNED, contract_cents=CONTRACT)


def deposit(db: Session, principal: Principal, job: Job, issued: date = ISSUED) -> Invoice:
    return raise_invoice(
        db, principal, InvoiceGenerate(job_id=job.id, kind=InvoiceKind.DEPOSIT, issue_date=issued)
    )


def progress(db: Session, principal: Principal, job: Job, issued: date = ISSUED) -> Invoice:
    """The job's next invoice: $1,000 of progress."""
    data = InvoiceGenerate(
        job_id=job.id,
        kind=InvoiceKind.PROGRESS,
        amount=Decimal("1000"),
        description="Tear-off done",
        issue_date=issued,
    )
    return raise_invoice(db, principal, data)


def raise_invoice(db: Session, principal: Principal, data: InvoiceGenerate) -> Invoice:
    invoice = invoice_service.generate(db, principal, data)
    db.commit()
    return invoice


@pytest.fixture
def connected_books(books: Books, db: Session, monkeypatch: pytest.MonkeyPatch) -> Books:
    """The provider connected, and the invoice service's port to the books pushing through
    this test's writer (as the composition root wires the real one)."""
    books.connect(db)
    monkeypatch.setattr(invoice_service, "books", PushedInvoiceBooks(books.service()))
    return books


@dataclass
class Pushing:
    """A job of ours, its invoices, and the connected books they are pushed to."""

    books: Books
    sessions: sessionmaker[Session]
    settings: Settings
    db: Session
    principal: Principal
    job: Job

    def deposit(self, issued: date = ISSUED) -> Invoice:
        return deposit(self.db, self.principal, self.job, issued)

    def progress(self, issued: date = ISSUED) -> Invoice:
        return progress(self.db, self.principal, self.job, issued)

    def push(self, invoice: Invoice) -> Invoice:
        """Through the real push path, as the background task runs it; the invoice re-read."""
        self.books.service().push(self.sessions, self.settings, invoice.id)
        return self.reread(invoice)

    def writer(self) -> BooksWriter:
        """The writer a push uses, to drive the books by hand (as a bookkeeper would)."""
        return self.books.writer(cast("AccountingProvider", None), self.sessions, self.settings)

    def snapshot(self, invoice: Invoice) -> InvoiceToPush:
        return to_push(invoice_to_push(self.db, invoice.id))

    def reread(self, invoice: Invoice) -> Invoice:
        self.db.expire_all()
        found = self.db.get(Invoice, invoice.id)
        assert found is not None
        return found


@pytest.fixture
def pushing(
    connected_books: Books,
    session_maker: sessionmaker[Session],
    settings: Settings,
    *,
    db: Session,
    finance: Principal,
    job: Job,
) -> Pushing:
    return Pushing(connected_books, session_maker, settings, db, finance, job)
