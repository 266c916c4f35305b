"""One uvicorn server for the session; each test gets a fresh fake QuickBooks behind it, and
(``books``) the demo company's jobs in our database with their books in the fake."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from roofops.demo.generator import generate
from roofops.demo.records import DemoData, as_dict
from roofops.demo.repository import DemoRepository
from roofops.integrations.quickbooks.client import QuickBooksClient
from roofops.kit.http import RateLimiter
from roofops.sandbox.quickbooks.books import FakeCompany, build_books
from roofops.sandbox.quickbooks.control import Limits
from roofops.sandbox.quickbooks.fake import DEFAULT_REALM, FakeQuickBooks
from roofops.sandbox.quickbooks.store import Books, FakeClock
from roofops.sandbox.server import serving
from tests.fakes import Monotonic, RecordingSleep, SwappableApp

START = datetime(2025, 6, 2, 15, 0, tzinfo=UTC)
REALM = DEFAULT_REALM
SEED, AS_OF = 11, date(2025, 6, 1)


@dataclass
class Harness:
    fake: FakeQuickBooks
    url: str
    clock: FakeClock
    sleep: RecordingSleep
    server: SwappableApp

    @property
    def books(self) -> Books:
        return self.fake.books(REALM)

    def token(self) -> str:
        return str(self.fake.issue_tokens(REALM)["access_token"])

    def client(self, token: str | None = None, **options: Any) -> QuickBooksClient:
        fixed = token or self.token()
        options.setdefault("limiter", RateLimiter(1000.0, 1000, sleep=self.sleep))
        options.setdefault("base_url", self.url)
        return QuickBooksClient(REALM, lambda: fixed, sleep=self.sleep, **options)


@pytest.fixture(scope="session")
def server() -> Iterator[tuple[SwappableApp, str]]:
    app = SwappableApp()
    with serving(app) as url:
        yield app, url


@pytest.fixture
def qbo(server: tuple[SwappableApp, str]) -> Harness:
    swappable, url = server
    clock = FakeClock(START)
    monotonic = Monotonic()
    fake = FakeQuickBooks(clock=clock, monotonic=monotonic, limits=Limits())
    fake.add_company(REALM)
    swappable.app = fake.app()
    return Harness(fake, url, clock, RecordingSleep(monotonic), swappable)


@pytest.fixture(scope="module")
def company_data() -> DemoData:
    return generate(0.06, SEED, AS_OF)


@pytest.fixture
def books(qbo: Harness, company_data: DemoData, db: Session) -> FakeCompany:
    """The demo company's jobs in our database, and its books in the fake QuickBooks."""
    rows = DemoRepository(db)
    for table, attribute in (("customers", "customers"), ("properties", "properties")):
        rows.insert_rows(table, [as_dict(r) for r in getattr(company_data, attribute)], _quiet)
    jobs = [{**as_dict(job), "branch_id": None, "crew_id": None} for job in company_data.jobs]
    rows.insert_rows("jobs", jobs, _quiet)
    db.commit()
    built = build_books(company_data, clock=qbo.clock)
    qbo.fake.add_company(REALM, built.books)
    return built


def _quiet(_table: str, _done: int, _total: int) -> None:
    return None


def add_invoices(books: Books, count: int, *, at: datetime | None = None) -> list[str]:
    """``count`` plain invoices for one customer; their Ids."""
    customer = books.add("Customer", {"DisplayName": f"Customer {books.count('Customer')}"}, at=at)
    item = books.add("Item", {"Name": f"Roof {books.count('Item')}", "Type": "Service"}, at=at)
    ids = []
    for number in range(count):
        line = {
            "Amount": 100 + number,
            "DetailType": "SalesItemLineDetail",
            "SalesItemLineDetail": {"ItemRef": {"value": item["Id"]}},
        }
        body = {
            "CustomerRef": {"value": customer["Id"]},
            "DocNumber": str(1000 + number),
            "Line": [line],
        }
        ids.append(books.add("Invoice", body, at=at)["Id"])
    return ids
