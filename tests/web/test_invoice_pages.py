"""The invoice pages over HTTP with a real session cookie: raising from a job's page (with and
without htmx), the kinds on offer and why the others are not, the list's filters, totals and
CSV, voiding with a reason, and who may do what (crew leads and viewers see no invoices)."""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from roofops.auth.principal import Principal
from roofops.invoice.schemas import InvoiceGenerate
from roofops.invoice.service import company_today, invoice_service
from roofops.kit.time import utcnow
from roofops.models import ActorType, Invoice, InvoiceKind, Job, JobStage, PayerKind, Role
from roofops.models.invoice import InvoicePayer, InvoiceStatus
from tests.factories import make_job
from tests.web.conftest import Browser

SignIn = Callable[[Role], Browser]
HTMX = {"HX-Request": "true"}
FINANCE = Principal(None, "finance@example.com", "Fin", Role.FINANCE, ActorType.USER)
CONTRACT = 1_845_000  # $18,450.00: a 30 % deposit is $5,535.00


@pytest.fixture
def retail(db: Session) -> Job:
    return make_job(db, number="5003", stage=JobStage.CONTRACT_SIGNED, contract_cents=CONTRACT)


@pytest.fixture
def insurance(db: Session) -> Job:
    """The domain spec's claim: RCV $11,000, deductible $1,500, depreciation $2,500."""
    job = make_job(db, number="7100", stage=JobStage.CONTRACT_SIGNED)
    job.payer, job.insurance_carrier = PayerKind.INSURANCE, "Granite State Mutual"
    job.rcv_cents, job.deductible_cents, job.depreciation_held_cents = 1_100_000, 150_000, 250_000
    db.flush()
    return job


def raise_(db: Session, job: Job, kind: InvoiceKind, **fields: object) -> Invoice:
    return invoice_service.generate(
        db, FINANCE, InvoiceGenerate(job_id=job.id, kind=kind, **fields)
    )


def kind_choice(html: str) -> str:
    select = re.search(r'<select id="invoice-kind".*?</select>', html, re.S)
    assert select, "no kind choice on the page"
    return select.group(0)


def options(html: str) -> list[str]:
    return re.findall(r'<option value="(\w+)"', kind_choice(html))


def input_value(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no {name} input"
    return match.group(1)


# ----- raising from the job page --------------------------------------------------------
def test_finance_previews_and_raises_a_deposit_without_script(
    sign_in: SignIn, db: Session, retail: Job
) -> None:
    finance = sign_in(Role.FINANCE)
    job_page = finance.client.get(f"/jobs/{retail.id}").text
    assert options(job_page) == ["deposit", "progress", "final"]
    assert "for insurance jobs only" in job_page

    preview = finance.post(f"/jobs/{retail.id}/invoices", {"kind": "deposit", "action": "preview"})
    assert preview.status_code == 200
    assert input_value(preview.text, "percent") == "30"  # the company's deposit setting
    assert 'id="invoice-preview-total">$5,535.00<' in preview.text
    api = finance.client.post(
        "/api/v1/invoices/preview",
        json={"job_id": str(retail.id), "kind": "deposit"},
        headers={"X-CSRF-Token": finance.csrf},
    )
    assert api.status_code == 200
    assert api.json()["total"] == "5535.00"  # the page and the API figure alike
    assert db.query(Invoice).count() == 0  # a preview writes nothing

    raised = finance.post(
        f"/jobs/{retail.id}/invoices", {"kind": "deposit", "percent": "30", "action": "raise"}
    )
    assert raised.status_code == 303
    invoice_page = finance.client.get(raised.headers["location"])
    assert invoice_page.status_code == 200
    assert 'id="invoice-total">$5,535.00<' in invoice_page.text
    assert "Deposit: 30% of the contract $18,450.00" in invoice_page.text
    assert re.search(r"<strong>Created</strong>", invoice_page.text)  # its history

    after = finance.client.get(f"/jobs/{retail.id}").text
    assert "deposit" not in options(after)  # one per job
    assert "already has a deposit invoice" in after


def test_a_refusal_is_shown_beside_the_form_with_every_input_kept(
    sign_in: SignIn, retail: Job
) -> None:
    finance = sign_in(Role.FINANCE)
    half_filled = finance.post(
        f"/jobs/{retail.id}/invoices", {"kind": "progress", "action": "preview"}, headers=HTMX
    )
    assert half_filled.status_code == 200  # a preview of a form still being filled in
    assert 'id="invoice-hint"' in half_filled.text
    assert 'id="job-payments"' not in half_filled.text  # nothing changed there
    assert 'id="invoice-error"' not in half_filled.text
    assert "names its milestone" in half_filled.text

    no_milestone = finance.post(
        f"/jobs/{retail.id}/invoices", {"kind": "progress", "percent": "40", "action": "raise"}
    )
    assert no_milestone.status_code == 422
    assert "names its milestone" in no_milestone.text
    assert input_value(no_milestone.text, "percent") == "40"
    assert "<html" in no_milestone.text  # without script: the whole job page

    too_much = finance.post(
        f"/jobs/{retail.id}/invoices",
        {"kind": "progress", "description": "Tear-off", "amount": "$20,000", "action": "raise"},
        headers=HTMX,
    )
    assert too_much.status_code == 409
    assert "<html" not in too_much.text  # htmx: the Invoices section alone
    assert 'id="job-invoices"' in too_much.text
    assert "$18,450.00 is left to invoice" in too_much.text
    assert input_value(too_much.text, "amount") == "$20,000"
    assert input_value(too_much.text, "description") == "Tear-off"


def test_htmx_raise_swaps_the_section_with_the_new_row(
    sign_in: SignIn, db: Session, retail: Job
) -> None:
    finance = sign_in(Role.FINANCE)
    response = finance.post(
        f"/jobs/{retail.id}/invoices",
        {"kind": "progress", "description": "Dry-in", "percent": "25", "action": "raise"},
        headers=HTMX,
    )
    assert response.status_code == 200
    invoice = db.query(Invoice).one()
    assert (invoice.number, invoice.total_cents) == ("5003", 461_250)
    assert 'id="invoice-raised"' in response.text
    assert 'id="job-payments"' in response.text  # taken out of band: its invoiced changed
    assert f'href="/invoices/{invoice.id}">5003<' in response.text
    assert 'name="description"' not in response.text  # a fresh form: choose the next kind
    assert "selected" not in re.search(
        r'<select id="invoice-kind".*?</select>', response.text, re.S
    ).group(0)


def test_insurance_kinds_on_offer_and_why_the_release_is_not(
    sign_in: SignIn, insurance: Job
) -> None:
    page = sign_in(Role.FINANCE).client.get(f"/jobs/{insurance.id}").text
    offered = options(page)
    assert "insurance_acv" in offered
    assert "depreciation_release" not in offered  # the job is not completed yet
    assert "Insurance ACV ($7,000.00)" in page  # figured from the claim before choosing
    assert "<strong>Depreciation release</strong>: Job 7100 is not completed" in page
    assert "<strong>Final</strong>: A final invoice of job 7100 would be $0.00" in page


# ----- the list -------------------------------------------------------------------------
@pytest.fixture
def listed(db: Session, retail: Job, insurance: Job) -> dict[str, Invoice]:
    """A deposit; a progress invoice to a financing company named like a formula; the ACV,
    sent and past due (overdue before any sweep ran); the deductible, partly paid."""
    today = company_today(db)
    invoices = {
        "deposit": raise_(db, retail, InvoiceKind.DEPOSIT),
        "financed": raise_(
            db,
            retail,
            InvoiceKind.PROGRESS,
            description="Dry-in",
            amount="1000",
            payer=InvoicePayer.FINANCING,
            payer_name='=HYPERLINK("http://x")',
        ),
        "acv": raise_(db, insurance, InvoiceKind.INSURANCE_ACV),
        "deductible": raise_(db, insurance, InvoiceKind.DEDUCTIBLE),
    }
    acv, deductible = invoices["acv"], invoices["deductible"]
    acv.sent_at, acv.status, acv.due_date = utcnow(), InvoiceStatus.SENT, today - timedelta(5)
    deductible.sent_at, deductible.paid_cents = utcnow(), 50_000
    deductible.status = InvoiceStatus.PARTIALLY_PAID
    db.commit()
    return invoices


def listed_numbers(browser: Browser, query: str = "") -> list[str]:
    response = browser.client.get(f"/invoices{query}")
    assert response.status_code == 200
    return re.findall(r'<tr data-number="([^"]+)"', response.text)


def test_list_filters_and_sorts(sign_in: SignIn, db: Session, listed: dict[str, Invoice]) -> None:
    office = sign_in(Role.OFFICE)
    assert sorted(listed_numbers(office)) == ["5003", "5003-2", "7100", "7100-2"]
    assert listed_numbers(office, "?status=overdue") == ["7100"]
    assert listed_numbers(office, "?status=sent") == []  # past due: overdue, not sent
    assert listed_numbers(office, "?status=partially_paid") == ["7100-2"]
    assert listed_numbers(office, "?payer=insurance_carrier") == ["7100"]
    assert listed_numbers(office, "?kind=deposit") == ["5003"]
    assert sorted(listed_numbers(office, "?q=7100")) == ["7100", "7100-2"]
    today = company_today(db)
    assert listed_numbers(office, f"?from={today + timedelta(1)}") == []
    assert len(listed_numbers(office, f"?from={today}&to={today}")) == 4
    by_total = listed_numbers(office, "?sort=total_cents")
    assert by_total == ["5003-2", "7100-2", "5003", "7100"]  # $1,000, $1,500, $5,535, $7,000
    assert listed_numbers(office, "?sort=-total_cents") == by_total[::-1]
    assert len(listed_numbers(office, "?status=bogus&page=x")) == 4  # a stale URL still shows

    api = office.client.get("/api/v1/invoices", params={"status": "overdue"}).json()
    assert [item["number"] for item in api["items"]] == ["7100"]  # the API reads it the same
    later = {"q": "5003", "issued_from": str(today + timedelta(1))}
    assert office.client.get("/api/v1/invoices", params=later).json()["total"] == 0
    searched = office.client.get("/api/v1/invoices", params={"q": "5003", "sort": "number"})
    assert [item["number"] for item in searched.json()["items"]] == ["5003", "5003-2"]


def test_list_totals_what_matches(sign_in: SignIn, listed: dict[str, Invoice]) -> None:
    office = sign_in(Role.OFFICE)
    page = office.client.get("/invoices").text
    assert 'id="total-invoiced">$15,035.00<' in page  # 5,535 + 1,000 + 7,000 + 1,500
    assert 'id="total-paid">$500.00<' in page
    assert 'id="total-outstanding">$14,535.00<' in page
    assert 'title="Invoiced less paid' in page  # each total says what it sums

    api = office.client.get("/api/v1/invoices/totals", params={"q": "7100"}).json()
    assert api == {"invoices": 2, "invoiced": "8500.00", "paid": "500.00", "outstanding": "8000.00"}

    insurance_only = office.client.get("/invoices?q=7100", headers=HTMX).text
    assert "<html" not in insurance_only  # the filters swap the results alone
    assert 'id="total-invoiced">$8,500.00<' in insurance_only


def test_csv_exports_every_match_with_formulas_kept_as_text(
    sign_in: SignIn, listed: dict[str, Invoice]
) -> None:
    response = sign_in(Role.FINANCE).client.get("/invoices/export.csv?q=5003&sort=number")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [row["number"] for row in rows] == ["5003", "5003-2"]
    assert rows[1]["payer_name"] == '\'=HYPERLINK("http://x")'
    assert (rows[0]["total"], rows[0]["outstanding"]) == ("5535.00", "5535.00")
    overdue = sign_in(Role.FINANCE).client.get("/invoices/export.csv?status=overdue").text
    assert [row["status"] for row in csv.DictReader(io.StringIO(overdue))] == ["overdue"]


# ----- voiding --------------------------------------------------------------------------
def test_void_needs_a_reason_and_a_confirmation(sign_in: SignIn, db: Session, retail: Job) -> None:
    invoice = raise_(db, retail, InvoiceKind.DEPOSIT)
    db.commit()
    finance = sign_in(Role.FINANCE)
    url = f"/invoices/{invoice.id}/void"
    assert 'id="void-form"' in finance.client.get(f"/invoices/{invoice.id}").text

    no_reason = finance.post(url, {"reason": " ", "confirm": "yes"})
    assert no_reason.status_code == 422
    assert "Say why the invoice is void" in no_reason.text
    unconfirmed = finance.post(url, {"reason": "Wrong percentage"}, headers=HTMX)
    assert unconfirmed.status_code == 422
    assert "Tick the box to confirm" in unconfirmed.text
    assert ">Wrong percentage</textarea>" in unconfirmed.text  # kept

    voided = finance.post(url, {"reason": "Wrong percentage", "confirm": "yes"}, headers=HTMX)
    assert voided.status_code == 200
    assert 'id="void-done"' in voided.text
    assert 'data-status="void"' in voided.text
    assert "<strong>Voided</strong>" in voided.text
    db.refresh(invoice)
    assert (invoice.status, invoice.void_reason) == (InvoiceStatus.VOID, "Wrong percentage")

    again = finance.post(url, {"reason": "twice", "confirm": "yes"})
    assert again.status_code == 409
    assert "is already void" in again.text


# ----- who may --------------------------------------------------------------------------
@pytest.mark.parametrize("role", [Role.CREW_LEAD, Role.VIEWER, Role.DISPATCHER])
def test_roles_without_view_invoices_get_403_and_no_form(
    sign_in: SignIn, db: Session, retail: Job, role: Role
) -> None:
    invoice = raise_(db, retail, InvoiceKind.DEPOSIT)
    db.commit()
    browser = sign_in(role)
    for url in ("/invoices", f"/invoices/{invoice.id}", "/invoices/export.csv"):
        assert browser.client.get(url).status_code == 403, url
    void = browser.post(f"/invoices/{invoice.id}/void", {"reason": "x", "confirm": "yes"})
    assert void.status_code == 403
    raised = browser.post(f"/jobs/{retail.id}/invoices", {"kind": "final", "action": "raise"})
    assert raised.status_code == 403
    job_page = browser.client.get(f"/jobs/{retail.id}")
    assert job_page.status_code == 200
    assert 'id="invoice-form"' not in job_page.text
    assert 'href="/invoices"' not in job_page.text  # no nav entry either


def test_office_reads_invoices_but_cannot_raise_or_void(
    sign_in: SignIn, db: Session, retail: Job
) -> None:
    invoice = raise_(db, retail, InvoiceKind.DEPOSIT)
    db.commit()
    office = sign_in(Role.OFFICE)
    page = office.client.get(f"/invoices/{invoice.id}")
    assert page.status_code == 200
    assert 'href="/invoices"' in page.text
    assert 'id="void-form"' not in page.text
    assert office.post(f"/invoices/{invoice.id}/void", {"reason": "x"}).status_code == 403
    raised = office.post(f"/jobs/{retail.id}/invoices", {"kind": "final", "action": "raise"})
    assert raised.status_code == 403
    assert office.client.get(f"/invoices/{uuid.uuid4()}").status_code == 404
