"""The invoice page's Push to books and Send panels over HTTP with a real session cookie: the
push state in each of its four states, why the button is not offered (no books, void), the
pending panel polling itself, sending with the homeowner's address prefilled, refusals beside
the form with what was typed kept, and who may post (edit_invoices only)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from roofops.auth.principal import Principal
from roofops.company.service import company_service
from roofops.config import get_settings
from roofops.invoice.schemas import InvoiceGenerate
from roofops.invoice.service import invoice_service
from roofops.models import (
    ActorType,
    IntegrationConnection,
    Invoice,
    InvoiceKind,
    JobStage,
    PayerKind,
    Provider,
    Role,
)
from roofops.models.enums import ConnectionStatus
from roofops.models.invoice import PushStatus
from tests.factories import make_job
from tests.integrations.invoicing.test_push_endpoints import _queued_pushes
from tests.invoice.test_sending import queued_sends
from tests.web.conftest import Browser

SignIn = Callable[[Role], Browser]
HTMX = {"HX-Request": "true"}
FINANCE = Principal(None, "finance@example.com", "Fin", Role.FINANCE, ActorType.USER)


@pytest.fixture
def deposit(db: Session) -> Invoice:
    job = make_job(db, number="5003", stage=JobStage.CONTRACT_SIGNED, contract_cents=1_845_000)
    invoice = invoice_service.generate(
        db, FINANCE, InvoiceGenerate(job_id=job.id, kind=InvoiceKind.DEPOSIT)
    )
    db.commit()
    return invoice


@pytest.fixture
def quickbooks(db: Session) -> None:
    db.add(IntegrationConnection(provider=Provider.QUICKBOOKS, status=ConnectionStatus.CONNECTED))
    db.commit()


@pytest.fixture
def outbox(db: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The demo company without SMTP: mail goes to its outbox (set up, so a send is queued)."""
    monkeypatch.setattr(get_settings(), "data_dir", tmp_path)
    company_service.get(db).is_demo = True
    db.commit()
    return tmp_path / "outbox"


def push_panel(html: str) -> str:
    """From the push panel to the send panel beside it."""
    panel = re.search(r'id="invoice-push-panel".*?(?=id="invoice-send-panel"|$)', html, re.S)
    assert panel, "no push panel"
    return panel.group(0)


def set_push(db: Session, invoice: Invoice, status: PushStatus, **fields: object) -> None:
    """What the background push writes when it is done (the worker is not run here)."""
    db.refresh(invoice)
    invoice.push_status = status
    for name, value in fields.items():
        setattr(invoice, name, value)
    db.commit()


# ----- push -------------------------------------------------------------------------------
def test_without_books_the_button_is_disabled_with_the_reason_and_a_post_is_409(
    sign_in: SignIn, db: Session, deposit: Invoice
) -> None:
    finance = sign_in(Role.FINANCE)
    panel = push_panel(finance.client.get(f"/invoices/{deposit.id}").text)
    assert "Not pushed to the books yet" in panel
    assert re.search(r"<button[^>]*disabled[^>]*>Push to books", panel)
    assert "connect QuickBooks or Xero in Settings &gt; Integrations" in panel

    refused = finance.post(f"/invoices/{deposit.id}/push", headers=HTMX)
    assert refused.status_code == 409
    assert 'id="push-error"' in refused.text
    assert "connect QuickBooks or Xero" in refused.text
    db.refresh(deposit)
    assert deposit.push_status == PushStatus.NOT_PUSHED


def test_push_queues_once_and_the_pending_panel_polls_until_pushed(
    sign_in: SignIn, db: Session, deposit: Invoice, quickbooks: None, is_postgres: bool
) -> None:
    finance = sign_in(Role.FINANCE)
    assert 'id="push-blocked"' not in finance.client.get(f"/invoices/{deposit.id}").text

    pending = finance.post(f"/invoices/{deposit.id}/push", headers=HTMX)
    assert pending.status_code == 200, pending.text
    assert 'data-push-status="pending"' in pending.text
    assert f'hx-get="/invoices/{deposit.id}/push" hx-trigger="every 2s"' in pending.text
    assert "push-form" not in pending.text  # no second push while one is on its way
    assert _queued_pushes(db, is_postgres) == 1

    still = finance.client.get(f"/invoices/{deposit.id}/push", headers=HTMX).text
    assert "every 2s" in still
    assert "hx-swap-oob" not in still
    set_push(db, deposit, PushStatus.PUSHED, accounting_provider=Provider.QUICKBOOKS,
             accounting_id="130")  # fmt: skip
    settled = finance.client.get(f"/invoices/{deposit.id}/push", headers=HTMX).text
    assert "every 2s" not in settled
    assert re.search(r'Pushed to QuickBooks as <span[^>]*id="push-accounting-id">130<', settled)
    assert "push-form" not in settled
    # The facts and the status badge beside the panel follow, out of band.
    assert '<dd id="invoice-push" hx-swap-oob="true">Pushed' in settled
    assert '<span id="invoice-status-slot" hx-swap-oob="true">' in settled


def test_a_push_posted_without_script_redirects_to_the_page(
    sign_in: SignIn, db: Session, deposit: Invoice, quickbooks: None
) -> None:
    finance = sign_in(Role.FINANCE)
    answer = finance.post(f"/invoices/{deposit.id}/push")
    assert (answer.status_code, answer.headers["location"]) == (303, f"/invoices/{deposit.id}")
    page = finance.client.get(f"/invoices/{deposit.id}").text
    assert "Pending: the push is on its way" in page
    assert f'<a href="/invoices/{deposit.id}">Refresh</a>' in page  # polling needs script


def test_a_failed_push_shows_the_vendors_message_and_try_again(
    sign_in: SignIn, db: Session, deposit: Invoice, quickbooks: None
) -> None:
    set_push(db, deposit, PushStatus.FAILED, push_error="Business Validation Error: bad item")
    panel = push_panel(sign_in(Role.FINANCE).client.get(f"/invoices/{deposit.id}").text)
    assert "Business Validation Error: bad item" in panel
    assert re.search(r"<button[^>]*>Try again</button>", panel)
    assert "disabled" not in panel


def test_a_void_invoice_offers_no_push_and_no_send(
    sign_in: SignIn, db: Session, deposit: Invoice, quickbooks: None
) -> None:
    invoice_service.void(db, FINANCE, deposit.id, "priced on the wrong contract")
    db.commit()
    page = sign_in(Role.FINANCE).client.get(f"/invoices/{deposit.id}").text
    assert "This invoice is void: it stays out of the books" in push_panel(page)
    assert 'id="send-form"' not in page


# ----- send -------------------------------------------------------------------------------
def test_send_prefills_the_homeowner_and_queues_the_mail(
    sign_in: SignIn, db: Session, deposit: Invoice, outbox: Path
) -> None:
    finance = sign_in(Role.FINANCE)
    page = finance.client.get(f"/invoices/{deposit.id}").text
    prefilled = re.search(
        r'id="send-to" name="to" type="email" maxlength="320" value="([^"]*)"', page
    )
    assert prefilled
    assert "@" in prefilled.group(1)
    assert "Not sent yet." in page

    queued = finance.post(
        f"/invoices/{deposit.id}/send",
        {"to": prefilled.group(1), "message": "Thanks for choosing us."},
        headers=HTMX,
    )
    assert queued.status_code == 200, queued.text
    assert f"Queued for {prefilled.group(1)}" in queued.text
    assert "Send requested" in queued.text  # the deliveries list
    [args] = queued_sends(db)
    assert (args["to"], args["note"]) == (prefilled.group(1), "Thanks for choosing us.")


def test_a_carrier_invoice_needs_an_address_and_keeps_the_message(
    sign_in: SignIn, db: Session, outbox: Path
) -> None:
    job = make_job(db, number="7100", stage=JobStage.CONTRACT_SIGNED)
    job.payer, job.insurance_carrier = PayerKind.INSURANCE, "Granite State Mutual"
    job.rcv_cents, job.deductible_cents, job.depreciation_held_cents = 1_100_000, 150_000, 250_000
    acv = invoice_service.generate(
        db, FINANCE, InvoiceGenerate(job_id=job.id, kind=InvoiceKind.INSURANCE_ACV)
    )
    db.commit()
    finance = sign_in(Role.FINANCE)
    assert re.search(r'name="to" type="email"[^>]*value=""\s+required', finance.client.get(
        f"/invoices/{acv.id}").text)  # fmt: skip

    refused = finance.post(f"/invoices/{acv.id}/send", {"message": "Claim 42"}, headers=HTMX)
    assert refused.status_code == 409
    assert "give the address to send it to" in refused.text
    assert ">Claim 42</textarea>" in refused.text

    malformed = finance.post(f"/invoices/{acv.id}/send", {"to": "claims@"}, headers=HTMX)
    assert malformed.status_code == 422
    assert 'value="claims@"' in malformed.text
    assert queued_sends(db) == []


# ----- who may post -------------------------------------------------------------------------
@pytest.mark.parametrize("role", [Role.CREW_LEAD, Role.OFFICE])
def test_roles_without_edit_invoices_get_403_and_no_actions(
    sign_in: SignIn, db: Session, deposit: Invoice, quickbooks: None, role: Role
) -> None:
    browser = sign_in(role)
    assert browser.post(f"/invoices/{deposit.id}/push").status_code == 403
    assert browser.client.get(f"/invoices/{deposit.id}/push").status_code == 403
    assert browser.post(f"/invoices/{deposit.id}/send", {"to": "a@b.co"}).status_code == 403
    if role == Role.OFFICE:  # reads invoices, changes none
        assert 'id="invoice-actions"' not in browser.client.get(f"/invoices/{deposit.id}").text
    db.refresh(deposit)
    assert deposit.push_status == PushStatus.NOT_PUSHED


# ----- the list's "Push all not pushed" -----------------------------------------------------
def test_push_all_queues_every_invoice_not_in_the_books(
    sign_in: SignIn, db: Session, deposit: Invoice, quickbooks: None, is_postgres: bool
) -> None:
    finance = sign_in(Role.FINANCE)
    assert 'id="push-all-form"' in finance.client.get("/invoices").text
    answer = finance.post("/invoices/push-pending")
    assert (answer.status_code, answer.headers["location"]) == (303, "/invoices?queued=1")
    assert "1 invoice queued for the books" in finance.client.get("/invoices?queued=1").text
    assert _queued_pushes(db, is_postgres) == 1
    db.refresh(deposit)
    assert deposit.push_status == PushStatus.PENDING


def test_push_all_without_books_says_what_to_do(
    sign_in: SignIn, db: Session, deposit: Invoice
) -> None:
    refused = sign_in(Role.FINANCE).post("/invoices/push-pending")
    assert refused.status_code == 409
    assert 'id="push-all-error"' in refused.text
    assert "connect QuickBooks or Xero" in refused.text
    office = sign_in(Role.OFFICE)
    assert 'id="push-all-form"' not in office.client.get("/invoices").text
    assert office.post("/invoices/push-pending").status_code == 403
