"""A payment entered only in the books flows back, in Chromium against a live demo company:
QuickBooks connected through the sandbox, the sandbox books' "Receive a payment" page records
a payment against an open invoice of a job (one the bookkeeper entered in QuickBooks: every
invoice of the demo books is paid already), "Sync all from QuickBooks" reads it, and the job
page's Payments card shows it with the books' reference and source."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from decimal import Decimal

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from roofops.config import Settings
from roofops.db import session_factory, session_scope
from roofops.demo.generator import generate
from roofops.integrations.quickbooks.connection import quickbooks_connection
from roofops.integrations.quickbooks.ledger import project_job_number
from roofops.integrations.quickbooks.schemas import (
    Customer,
    InvoiceDraft,
    InvoiceLineDraft,
    Item,
)
from roofops.kit.time import utcnow
from roofops.models import Job, Role
from roofops.sandbox.demo import build_demo
from roofops.sandbox.quickbooks.books import build_books
from roofops.sandbox.quickbooks.sandbox import SANDBOX_PATH
from tests.web.live_server import browser_database, free_port, serve
from tests.web.signing_in import sign_in
from tests.web.workers import background_worker

pytestmark = pytest.mark.browser

SIZE, SEED, AS_OF = 0.05, 7, utcnow().date()
CONNECT_TIMEOUT = 15_000
SYNC_TIMEOUT = 30_000


@dataclass(frozen=True)
class Live:
    url: str
    email: str
    password: str
    job_id: str
    job_number: str
    database_url: str
    settings: Settings


@pytest.fixture(scope="module")
def live(
    database_url: str, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    with ExitStack() as stack:
        url = stack.enter_context(browser_database(database_url, tmp_path_factory.mktemp("pay")))
        with session_scope(url) as db:
            demo = build_demo(db, size=SIZE, seed=SEED, as_of=AS_OF)
        admin = next(user for user in demo.users if user.role == Role.ADMIN)
        assert admin.password is not None
        stack.enter_context(background_worker(url))
        port = free_port()
        local = settings.model_copy(
            update={"database_url": url, "base_url": f"http://127.0.0.1:{port}"}
        )
        base = stack.enter_context(serve(local, url, port=port))
        books = build_books(generate(SIZE, SEED, AS_OF))
        job_number = next(n for n, ledger in books.jobs.items() if ledger.invoices)
        with session_scope(url) as db:
            job_id = db.scalar(sa.select(Job.id).where(Job.number == job_number))
        yield Live(base, admin.email, admin.password, str(job_id), job_number, url, local)


def _enter_invoice_in_the_books(live: Live) -> str:
    """An invoice of the job entered in QuickBooks (through its API, on the connection the
    browser made): $500 open. Its DocNumber."""
    number = f"{live.job_number}-9"
    client = quickbooks_connection.client(session_factory(live.database_url), live.settings)
    with client:
        project = next(
            c for c in client.query(Customer).entities if project_job_number(c) == live.job_number
        )
        item = client.query(Item).entities[0]
        line = InvoiceLineDraft(amount=Decimal("500.00"), item_id=item.id)
        draft = InvoiceDraft(customer_id=project.id, doc_number=number, lines=[line])
        client.create_invoice(draft, request_id=uuid.uuid4().hex)
    return number


def _sync(page: Page, live: Live) -> None:
    page.goto(live.url + "/profit")
    page.get_by_role("button", name="Sync all from QuickBooks").click()
    expect(page.locator("#profit-sync-progress")).to_contain_text(
        "Finished: Succeeded", timeout=SYNC_TIMEOUT
    )


def test_a_payment_recorded_in_the_sandbox_books_shows_on_the_job(
    page: Page, live: Live, console_errors: list[str]
) -> None:
    sign_in(page, live.url + "/settings/integrations", live.email, live.password, back=False)
    page.locator("#quickbooks").get_by_role("button", name="Connect QuickBooks").click()
    expect(page).to_have_url(re.compile(r"saved=quickbooks-connected"), timeout=CONNECT_TIMEOUT)
    number = _enter_invoice_in_the_books(live)
    _sync(page, live)

    page.goto(live.url + SANDBOX_PATH + "/demo/payments")
    page.get_by_label(f"Amount received on {number}").fill("100.00")
    page.get_by_role("button", name="Record payment").click()
    recorded = page.get_by_role("status")
    expect(recorded).to_contain_text("recorded")
    _sync(page, live)

    page.goto(f"{live.url}/jobs/{live.job_id}")
    card = page.locator("#job-payments")
    payment = card.locator("#job-payments-table tbody tr").filter(has_text="SANDBOX-")
    expect(payment).to_have_count(1)
    expect(payment).to_contain_text(number)
    expect(payment).to_contain_text("$100.00")
    expect(payment.locator("[data-source]")).to_have_attribute("data-source", "quickbooks")
    # The sandbox page has no favicon; nothing else may be logged.
    assert [e for e in console_errors if "/favicon.ico" not in e] == []
