"""The job page's Invoices section: shown to the roles that read invoices only."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from roofops.auth.principal import Principal
from roofops.invoice.schemas import InvoiceGenerate
from roofops.invoice.service import invoice_service
from roofops.models import ActorType, InvoiceKind, JobStage, PayerKind, Role
from tests.factories import make_job
from tests.web.conftest import Browser


def test_office_sees_the_invoices_and_balances_a_dispatcher_does_not(
    sign_in: Callable[[Role], Browser], db: Session
) -> None:
    insurance_job = make_job(db, number="7100", stage=JobStage.CONTRACT_SIGNED)
    insurance_job.payer, insurance_job.insurance_carrier = (
        PayerKind.INSURANCE,
        "Granite State Mutual",
    )
    insurance_job.rcv_cents, insurance_job.deductible_cents = 1_100_000, 150_000
    insurance_job.depreciation_held_cents = 250_000
    finance = Principal(None, "finance@example.com", "Fin", Role.FINANCE, ActorType.USER)
    body = InvoiceGenerate(job_id=insurance_job.id, kind=InvoiceKind.INSURANCE_ACV)
    acv = invoice_service.generate(db, finance, body)
    db.commit()

    browser = sign_in(Role.OFFICE)
    office = browser.client.get(f"/jobs/{insurance_job.id}")
    assert office.status_code == 200
    assert 'id="job-invoices"' in office.text
    assert f'href="/invoices/{acv.id}">7100<' in office.text  # the row opens the invoice
    assert f'href="/api/v1/invoices/{acv.id}.pdf"' in office.text
    assert 'id="invoice-form"' not in office.text  # office reads invoices, finance raises them
    assert "Granite State Mutual" in office.text
    assert "$7,000.00" in office.text
    assert "$4,000.00" in office.text  # left to invoice: the deductible and the depreciation
    # One per-payer table on the page (the Payments section's), with its definitions.
    assert office.text.count('<th scope="row">Insurance carrier</th>') == 1
    assert 'id="job-payments-payers"' in office.text
    assert 'title="Invoiced less paid' in office.text
    pdf = browser.client.get(f"/api/v1/invoices/{acv.id}.pdf")  # the link, signed in by cookie
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")

    dispatcher = sign_in(Role.DISPATCHER).client.get(f"/jobs/{insurance_job.id}")
    assert dispatcher.status_code == 200
    assert 'id="job-invoices"' not in dispatcher.text
