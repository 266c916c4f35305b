"""A fake Xero served over HTTP for a test: two organisations (so tenant choice matters), a
frozen clock, and rate-limit windows that the client's recorded sleeps move forward."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from roofops.sandbox.clock import FakeClock
from roofops.sandbox.server import serving
from roofops.sandbox.xero.fake import API_PREFIX, TENANT_HEADER, FakeXero
from roofops.sandbox.xero.limits import Limits
from roofops.sandbox.xero.store import Books
from tests.fakes import Monotonic, RecordingSleep, SwappableApp

START = datetime(2025, 6, 2, 15, 0, tzinfo=UTC)
ROOFING = "Summit Roofing LLC"
HOLDINGS = "Summit Holdings Inc"


@dataclass
class XeroHarness:
    fake: FakeXero
    url: str
    clock: FakeClock
    sleep: RecordingSleep
    roofing: Books
    holdings: Books

    def token(self, *tenant_ids: str) -> str:
        return str(
            self.fake.issue_tokens(*(tenant_ids or (self.roofing.tenant_id,)))["access_token"]
        )

    def api(
        self, method: str, path: str, *, books: Books | None = None, **kwargs: Any
    ) -> httpx.Response:
        """One call as a client would make it, with a fresh token for ``books``."""
        books = books or self.roofing
        headers = {
            "Authorization": f"Bearer {self.token(books.tenant_id)}",
            TENANT_HEADER: books.tenant_id,
            "Accept": "application/json",
            **kwargs.pop("headers", {}),
        }
        return httpx.request(method, f"{self.url}{API_PREFIX}{path}", headers=headers, **kwargs)


@contextmanager
def session_server() -> Iterator[tuple[SwappableApp, str]]:
    app = SwappableApp()
    with serving(app) as url:
        yield app, url


def fresh_xero(server: tuple[SwappableApp, str], **options: Any) -> XeroHarness:
    swappable, url = server
    clock, monotonic = FakeClock(START), Monotonic()
    options.setdefault("limits", Limits())
    fake = FakeXero(clock=clock, monotonic=monotonic, **options)
    roofing = fake.add_organisation(ROOFING)
    holdings = fake.add_organisation(HOLDINGS)
    roofing.add_tracking_category("Branch", ["Denver", "Boulder"])
    roofing.add_tracking_category("Job type", ["Reroof", "Repair"])
    swappable.app = fake.app()
    return XeroHarness(fake, url, clock, RecordingSleep(monotonic), roofing, holdings)


def invoice_body(
    contact_id: str, number: str, amount: float = 1000.0, **fields: Any
) -> dict[str, Any]:
    """An authorised receivable invoice dated the day before START, one tracked line."""
    body: dict[str, Any] = {
        "Type": "ACCREC",
        "Contact": {"ContactID": contact_id},
        "Date": "2025-06-01",
        "DueDate": "2025-07-01",
        "InvoiceNumber": number,
        "Status": "AUTHORISED",
        "LineAmountTypes": "NoTax",
        "LineItems": [
            {
                "Description": f"Roof replacement, job {number}",
                "Quantity": 1,
                "UnitAmount": amount,
                "AccountCode": "200",
                "Tracking": [{"Name": "Branch", "Option": "Denver"}],
            }
        ],
    }
    return body | fields


def add_contact(xero: XeroHarness, name: str = "Jane Homeowner", books: Books | None = None) -> str:
    response = xero.api("PUT", "Contacts", books=books, json={"Contacts": [{"Name": name}]})
    assert response.status_code == 200, response.text
    return str(response.json()["Contacts"][0]["ContactID"])


def add_invoices(xero: XeroHarness, count: int, *, first: int = 5000) -> list[str]:
    """``count`` invoices of one contact, created in one batch; their InvoiceIDs."""
    contact = add_contact(xero, f"Customer {first}")
    bodies = [invoice_body(contact, str(first + n), 100.0 + n) for n in range(count)]
    response = xero.api("PUT", "Invoices", json={"Invoices": bodies})
    assert response.status_code == 200, response.text
    return [row["InvoiceID"] for row in response.json()["Invoices"]]
