"""Invoice pages in Debian Chromium against a live server: raise a deposit from a job's page
(preview, then raise, swapped in by htmx) and find it in the list; the list's filters; void
an invoice with a reason from its page."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy.orm import Session

from roofops.auth.principal import COMMAND_LINE
from roofops.config import Settings
from roofops.db import session_scope
from roofops.invoice.schemas import InvoiceGenerate
from roofops.invoice.service import company_today, invoice_service
from roofops.kit.time import utcnow
from roofops.models import InvoiceKind, JobStage, PayerKind, Role
from roofops.models.invoice import InvoiceStatus
from tests.factories import make_job, make_user
from tests.web.conftest import PASSWORD
from tests.web.live_server import browser_database, serve
from tests.web.signing_in import sign_in

pytestmark = pytest.mark.browser

EMAIL = "fran@example.com"
# Set to a directory to keep screenshots of the pages (for reviews).
SCREENSHOT_DIR = os.environ.get("ROOFOPS_SCREENSHOT_DIR", "")


def screenshot(page: Page, name: str) -> None:
    if SCREENSHOT_DIR:
        page.screenshot(path=str(Path(SCREENSHOT_DIR) / f"{name}.png"), full_page=True)


@dataclass(frozen=True)
class Live:
    url: str
    to_raise: str  # a retail job's id, not invoiced yet
    to_void: str  # an invoice's id


@pytest.fixture(scope="module")
def live(
    database_url: str, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    with browser_database(database_url, tmp_path_factory.mktemp("invoices")) as url:
        with session_scope(url) as db:
            make_user(db, role=Role.FINANCE, email=EMAIL, password=PASSWORD)
            fresh = make_job(
                db, number="5003", stage=JobStage.CONTRACT_SIGNED, contract_cents=1_845_000
            )
            to_void = _seed_invoices(db)
            ids = str(fresh.id), str(to_void)
        with serve(settings.model_copy(update={"database_url": url}), url) as base:
            yield Live(base, *ids)


def _seed_invoices(db: Session) -> uuid.UUID:
    """6001 (retail): a deposit to void; 7100 (insurance): the ACV, sent and past due."""
    retail = make_job(db, number="6001", stage=JobStage.CONTRACT_SIGNED, contract_cents=1_000_000)
    claim = make_job(db, number="7100", stage=JobStage.CONTRACT_SIGNED)
    claim.payer, claim.insurance_carrier = PayerKind.INSURANCE, "Granite State Mutual"
    claim.rcv_cents, claim.deductible_cents, claim.depreciation_held_cents = 1_100_000, 0, 0
    deposit = InvoiceGenerate(job_id=retail.id, kind=InvoiceKind.DEPOSIT)
    to_void = invoice_service.generate(db, COMMAND_LINE, deposit)
    acv = InvoiceGenerate(job_id=claim.id, kind=InvoiceKind.INSURANCE_ACV)
    overdue = invoice_service.generate(db, COMMAND_LINE, acv)
    overdue.sent_at, overdue.status = utcnow(), InvoiceStatus.SENT
    overdue.due_date = company_today(db) - timedelta(days=3)
    return to_void.id


def rows(page: Page) -> Locator:
    return page.locator("#invoices-table tbody tr")


def test_raise_a_deposit_from_the_job_page_and_find_it_listed(
    page: Page, live: Live, console_errors: list[str]
) -> None:
    sign_in(page, live.url + f"/jobs/{live.to_raise}", EMAIL)
    page.get_by_label("Kind").select_option("deposit")
    # htmx redraws the form for the kind: its percent (the setting) and the figured amount.
    expect(page.get_by_label("Percent of the contract")).to_have_value("30")
    page.get_by_role("button", name="Preview amount").click()
    expect(page.locator("#invoice-preview-total")).to_have_text("$5,535.00")
    screenshot(page, "invoice-new")

    page.get_by_role("button", name="Raise invoice").click()
    expect(page.locator("#invoice-raised")).to_contain_text("5003 raised")
    expect(page.locator("#job-invoices-table tbody tr")).to_have_count(1)
    homeowner = page.locator('#job-payments-payers tr[data-payer="homeowner"]')
    expect(homeowner).to_contain_text("$5,535.00")  # the Payments section followed
    expect(page.locator("#job-payments")).to_have_count(1)
    expect(page.locator("#invoice-kind option[value=deposit]")).to_have_count(0)  # used up

    page.get_by_role("link", name="Invoices", exact=True).click()
    expect(page.locator('#invoices-table tr[data-number="5003"]')).to_contain_text("$5,535.00")
    page.locator('#invoices-table tr[data-number="5003"] a.job-number').click()
    expect(page.locator("#invoice-status")).to_have_text("Draft")
    expect(page.locator("#invoice-history")).to_contain_text("Created")
    screenshot(page, "invoice")
    assert console_errors == []


def test_list_filters(page: Page, live: Live, console_errors: list[str]) -> None:
    sign_in(page, live.url + "/invoices", EMAIL)
    page.get_by_label("Status").select_option("overdue")
    expect(page).to_have_url(re.compile(r"status=overdue"))
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text("Granite State Mutual")
    expect(page.locator("#total-outstanding")).to_have_text("$11,000.00")
    page.get_by_label("Status").select_option("")
    expect(rows(page)).not_to_have_count(1)
    screenshot(page, "invoices")
    page.get_by_label("Status").select_option("overdue")
    expect(rows(page)).to_have_count(1)

    page.get_by_label("Status").select_option("")
    page.get_by_label("Payer type").select_option("homeowner")
    page.get_by_label("Search").fill("6001")
    expect(page).to_have_url(re.compile(r"q=6001"))
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text("Deposit")

    page.get_by_label("Kind").select_option("final")
    expect(page.locator("#invoices-count")).to_have_text("0 invoices match these filters")
    assert console_errors == []


def test_void_an_invoice_with_a_reason(page: Page, live: Live, console_errors: list[str]) -> None:
    sign_in(page, live.url + f"/invoices/{live.to_void}", EMAIL)
    page.get_by_text("Void this invoice…").click()
    page.get_by_label("Reason").fill("Raised on the wrong job")
    page.get_by_label(re.compile("this cannot be undone")).check()
    page.get_by_role("button", name="Void invoice").click()
    expect(page.locator("#invoice-status")).to_have_text("Void")
    expect(page.locator("#void-done")).to_be_visible()
    expect(page.locator("#invoice-void-reason")).to_have_text("Raised on the wrong job")
    expect(page.locator("#invoice-history")).to_contain_text("Raised on the wrong job")
    expect(page.locator("#invoice-outstanding")).to_have_text("$0.00")
    assert console_errors == []
