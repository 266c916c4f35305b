"""One uvicorn server for the session; each test gets a fresh fake QuickBooks behind it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from roofops.integrations.quickbooks.client import QuickBooksClient
from roofops.kit.http import RateLimiter
from roofops.sandbox.quickbooks.control import Limits
from roofops.sandbox.quickbooks.fake import DEFAULT_REALM, FakeQuickBooks
from roofops.sandbox.quickbooks.server import serving
from roofops.sandbox.quickbooks.store import Books, FakeClock

START = datetime(2025, 6, 2, 15, 0, tzinfo=UTC)
REALM = DEFAULT_REALM

Scope = dict[str, Any]


class SwappableApp:
    """An ASGI app that forwards to whichever app the current test installed."""

    def __init__(self) -> None:
        self.app: Any = None

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


@dataclass
class Monotonic:
    """The fake's rate-limit clock; the client's recording sleep moves it forward."""

    now: float = 1_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class RecordingSleep:
    monotonic: Monotonic
    delays: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        self.monotonic.now += seconds


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
