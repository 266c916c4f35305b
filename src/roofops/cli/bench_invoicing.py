"""roofops bench invoicing: N invoices for demo jobs pushed through the real push path to a fake
accounting system over real HTTP, where a share of the creates commit and lose their answer, a
few commit and then stall past the client's timeout, and a few are answered 429; then what the
fake holds is counted against what we pushed.

The fake's own rate limits are off and the client's limiter is loosened: they are tested on
their own, and at Xero's 60 calls a minute 500 invoices would take most of an hour. What is
measured here is the exactly-once guarantee, not the vendor's quota.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

from sqlalchemy.orm import Session, sessionmaker

from roofops.config import Settings
from roofops.integrations.core.accounting import AccountingProvider, BooksWriter
from roofops.integrations.invoicing.push import InvoicePushService
from roofops.kit.http import RateLimiter
from roofops.models.enums import ConnectionStatus, Provider
from roofops.sandbox.clock import FakeClock
from roofops.sandbox.server import serving

BooksName = Literal["quickbooks", "xero"]
REALM = "9130350000000001"
SEED = 42
CLIENT_TIMEOUT = 1.0  # seconds; a stalled write sleeps twice that, committed
STALL_SECONDS = 2.0
STALLED_SHARE = 0.004  # about 2 in 500
THROTTLED = 5  # 429s sprinkled over the run
JOBS_PER_INVOICE = 3  # demo jobs generated per invoice wanted: not every job has a contract


@dataclass(frozen=True)
class InvoicingFigures:
    invoices: int
    remote_created: int
    duplicates: int
    missing: int
    failed: int  # our invoices not marked pushed (their message is in push_error)
    requests: int
    seconds: float


class _Fake:
    """One fake accounting system as the bench drives it."""

    def __init__(self, provider: BooksName, clock: FakeClock) -> None:
        self.provider = provider
        if provider == "quickbooks":
            self._quickbooks(clock)
        else:
            self._xero(clock)

    def _quickbooks(self, clock: FakeClock) -> None:
        from roofops.sandbox.quickbooks.control import Limits
        from roofops.sandbox.quickbooks.fake import FakeQuickBooks

        self.fake: Any = FakeQuickBooks(clock=clock, limits=Limits(enabled=False))
        books = self.fake.add_company(REALM)
        books.add("Item", {"Name": "Roof Replacement", "Type": "Service"})
        self.account_id = REALM

    def _xero(self, clock: FakeClock) -> None:
        from roofops.sandbox.xero.fake import FakeXero
        from roofops.sandbox.xero.limits import Limits

        self.fake = FakeXero(clock=clock, limits=Limits(enabled=False))
        self.account_id = self.fake.add_organisation("Bench Roofing").tenant_id

    def client(self, url: str) -> Any:
        """A client holding a token of the fake's (no OAuth dance), with the bench's limiter."""
        limiter = RateLimiter(1000.0, 100)
        if self.provider == "quickbooks":
            from roofops.integrations.quickbooks.client import QuickBooksClient

            token = str(self.fake.issue_tokens(REALM)["access_token"])
            return QuickBooksClient(
                REALM, lambda: token, base_url=url, timeout=CLIENT_TIMEOUT, limiter=limiter
            )
        from roofops.integrations.xero.client import XeroClient

        token = str(self.fake.issue_tokens(self.account_id)["access_token"])
        return XeroClient(
            self.account_id, lambda: token, base_url=url, timeout=CLIENT_TIMEOUT, limiter=limiter
        )

    def writer(self, sessions: sessionmaker[Session], settings: Settings, url: str) -> BooksWriter:
        if self.provider == "quickbooks":
            from roofops.integrations.quickbooks.push import QuickBooksBooksWriter

            return QuickBooksBooksWriter(sessions, self.client(url))
        from roofops.integrations.xero.push import XeroBooksWriter

        return XeroBooksWriter(sessions, self.client(url), settings)

    def numbers(self) -> Counter[str]:
        """How many invoices the books hold under each number."""
        if self.provider == "quickbooks":
            rows = self.fake.books(REALM).rows("Invoice")
            return Counter(str(row.get("DocNumber") or "") for row in rows)
        rows = self.fake.books(self.account_id).rows("Invoices")
        return Counter(str(row.get("InvoiceNumber") or "") for row in rows)


def run_invoicing_bench(
    *,
    provider: BooksName,
    invoices: int,
    lost_responses: float,
    database_url: str | None,
    scratch: Path,
) -> InvoicingFigures:
    from roofops.cli.bench import _bench_database, _load_jobs
    from roofops.demo.generator import generate

    sessions, settings = _bench_database(database_url, scratch)
    _load_jobs(sessions, generate(_size_for(invoices), SEED, date.today()))
    ids = _raise_invoices(sessions, invoices)
    fake = _Fake(provider, FakeClock(datetime.now(UTC)))
    _connect(sessions, Provider(provider), fake.account_id)
    _arm_faults(fake.fake, lost_responses)
    with serving(fake.fake.app()) as url:

        def factory(
            _accounting: AccountingProvider, sessions_: sessionmaker[Session], settings_: Settings
        ) -> BooksWriter:
            return fake.writer(sessions_, settings_, url)

        started = time.perf_counter()
        _push_all(InvoicePushService(factory), sessions, settings, ids, fake)
        seconds = time.perf_counter() - started
    return _count(sessions, ids, fake, round(seconds, 2))


def _size_for(invoices: int) -> float:
    from roofops.demo.catalog import JOBS_PER_SIZE

    return max(0.05, invoices * JOBS_PER_INVOICE / JOBS_PER_SIZE)


def _raise_invoices(sessions: sessionmaker[Session], wanted: int) -> list[uuid.UUID]:
    """A deposit for each demo job with a signed contract, until ``wanted`` are raised."""
    import sqlalchemy as sa

    from roofops.auth.principal import SYSTEM
    from roofops.exceptions import RoofOpsError
    from roofops.invoice.schemas import InvoiceGenerate
    from roofops.invoice.service import invoice_service
    from roofops.models.invoice import InvoiceKind
    from roofops.models.job import Job

    raised: list[uuid.UUID] = []
    with sessions() as db:
        jobs = list(
            db.scalars(sa.select(Job.id).where(Job.contract_cents > 0).order_by(Job.number))
        )
    for job_id in jobs:
        if len(raised) == wanted:
            break
        try:
            with sessions.begin() as db:
                data = InvoiceGenerate(job_id=job_id, kind=InvoiceKind.DEPOSIT)
                raised.append(invoice_service.generate(db, SYSTEM, data).id)
        except RoofOpsError:
            continue  # a job whose contract takes no deposit (cancelled, invoiced already)
    if len(raised) < wanted:
        raise RuntimeError(f"the demo company gave {len(raised)} invoices, not {wanted}")
    return raised


def _connect(sessions: sessionmaker[Session], provider: Provider, account_id: str) -> None:
    from roofops.models.integration import IntegrationConnection

    with sessions.begin() as db:
        db.add(
            IntegrationConnection(
                provider=provider, status=ConnectionStatus.CONNECTED, account_id=account_id
            )
        )


def _arm_faults(fake: Any, lost_responses: float) -> None:
    fake.faults.lost_writes_share = lost_responses
    fake.faults.stalled_writes_share = STALLED_SHARE
    fake.faults.slow_seconds = STALL_SECONDS


def _push_all(
    service: InvoicePushService,
    sessions: sessionmaker[Session],
    settings: Settings,
    ids: list[uuid.UUID],
    fake: _Fake,
) -> None:
    """One after another, as one worker would; a 429 now and then."""
    every = max(1, len(ids) // THROTTLED)
    for position, invoice_id in enumerate(ids):
        if position % every == every // 2:
            fake.fake.faults.throttle = 1
        service.push(sessions, settings, invoice_id)


def _count(
    sessions: sessionmaker[Session], ids: list[uuid.UUID], fake: _Fake, seconds: float
) -> InvoicingFigures:
    import sqlalchemy as sa

    from roofops.models.invoice import Invoice, PushStatus

    with sessions() as db:
        rows = db.execute(sa.select(Invoice.number, Invoice.push_status).where(Invoice.id.in_(ids)))
        ours = {row.number: row.push_status for row in rows}
    held = fake.numbers()
    return InvoicingFigures(
        invoices=len(ids),
        remote_created=sum(held[number] for number in ours),
        duplicates=sum(max(0, held[number] - 1) for number in ours),
        missing=sum(1 for number in ours if held[number] == 0),
        failed=sum(1 for status in ours.values() if status != PushStatus.PUSHED),
        requests=len(fake.fake.requests.entries()),
        seconds=seconds,
    )
