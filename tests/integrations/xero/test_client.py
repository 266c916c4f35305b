"""The Xero client against the fake over HTTP: incremental reads, edits while paging, a 429
storm, a create whose answer is lost, lock dates and tracking."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from roofops.integrations.xero.client import XeroValidationError
from roofops.integrations.xero.schemas import (
    AccountCode,
    ContactId,
    Invoice,
    InvoiceDraft,
    InvoiceId,
    LineDraft,
    PaymentDraft,
    TrackingDraft,
)
from roofops.kit.http import RetryPolicy, VendorRateLimited
from roofops.sandbox.xero.store import Books
from tests.integrations.xero.conftest import client_of
from tests.sandbox.xero.harness import XeroHarness, add_contact, add_invoices


def _draft(contact_id: str, number: str, amount: str = "1250.00") -> InvoiceDraft:
    line = LineDraft(
        description=f"Deposit, job {number}",
        unit_amount=Decimal(amount),
        account_code="200",
        tracking=[TrackingDraft(name="Branch", option="Boulder")],
    )
    return InvoiceDraft(
        contact=ContactId(contact_id=contact_id),
        invoice_number=number,
        date=date(2025, 6, 1),
        due_date=date(2025, 7, 1),
        line_items=[line],
    )


def test_incremental_reads_return_what_changed_since(xero: XeroHarness) -> None:
    ids = add_invoices(xero, 3)
    client = client_of(xero)
    everything = list(client.changed(Invoice))
    cursor = max(invoice.updated_date_utc for invoice in everything)
    xero.clock.advance(timedelta(minutes=10))
    payment = PaymentDraft(
        invoice=InvoiceId(invoice_id=ids[1]),
        account=AccountCode(code="090"),
        date=date(2025, 6, 2),
        amount=Decimal("101.00"),
    )
    client.create_payment(payment, idempotency_key="pay-5001")

    changed = list(client.changed(Invoice, cursor))

    assert len(everything) == 3
    assert [(i.invoice_id, i.status, i.amount_due) for i in changed] == [
        (ids[1], "PAID", Decimal("0.00"))
    ]


def test_records_edited_between_pages_are_all_read_in_their_latest_version(
    xero: XeroHarness,
) -> None:
    for batch in range(25):  # ten invoices to each instant, 250 in all
        add_invoices(xero, 10, first=5000 + batch * 10)
        xero.clock.advance(timedelta(seconds=1))
    rows = xero.roofing.rows("Invoices")
    already_read, not_yet_read = rows[5]["InvoiceID"], rows[180]["InvoiceID"]

    def edit_after_first_page(books: Books, resource: str, page: int) -> None:
        if resource == "Invoices" and not xero.fake.between_pages[1:]:
            xero.fake.between_pages.append(edit_after_first_page)  # only once
            xero.clock.advance(timedelta(seconds=1))
            for invoice_id in (already_read, not_yet_read):
                row = books.get("Invoices", invoice_id) or {}
                books.save("Invoices", {**row, "Reference": "revised"})

    xero.fake.between_pages.append(edit_after_first_page)
    seen: dict[str, Invoice] = {}
    for invoice in client_of(xero).changed(Invoice, page_size=100):
        seen[invoice.invoice_id] = invoice

    assert len(seen) == 250
    assert seen[already_read].reference == "revised"
    assert seen[not_yet_read].reference == "revised"


def test_a_429_storm_is_ridden_out_by_retry_after(xero: XeroHarness) -> None:
    add_invoices(xero, 2)
    xero.fake.limits.storm(150)
    client = client_of(xero)

    organisation = client.organisation()

    assert organisation.name == xero.roofing.name
    # Each wait is Retry-After, capped at the policy's minute: never sooner, never a guess.
    assert xero.sleep.delays == [60.0, 60.0, 30.0]
    assert xero.fake.requests.count(path_contains="/Organisation") == 4


def test_a_storm_longer_than_the_budget_gives_up_with_the_hint(xero: XeroHarness) -> None:
    xero.fake.limits.storm(3600)
    client = client_of(xero, retry=RetryPolicy(give_up_after=120.0, max_delay=60.0))

    with pytest.raises(VendorRateLimited) as caught:
        client.organisation()

    assert caught.value.retry_after is not None
    assert sum(xero.sleep.delays) <= 120


def test_a_create_whose_answer_is_lost_is_made_once(xero: XeroHarness) -> None:
    contact = add_contact(xero)
    xero.fake.faults.lost_writes = 2
    client = client_of(xero)

    created = client.create_invoice(_draft(contact, "5003"), idempotency_key="invoice-5003")
    again = client.create_invoice(_draft(contact, "5003"), idempotency_key="invoice-5003")

    assert created == again
    assert [row["InvoiceNumber"] for row in xero.roofing.rows("Invoices")] == ["5003"]
    assert client.invoices_numbered("5003") == [created]
    assert created.line_items[0].tracking[0].option == "Boulder"
    assert xero.fake.requests.count(method="PUT", path_contains="/Invoices") == 3


def test_a_write_inside_a_lock_date_is_refused_with_the_date(xero: XeroHarness) -> None:
    contact = add_contact(xero)
    xero.roofing.set_lock_dates(period=date(2025, 6, 30))
    client = client_of(xero)

    with pytest.raises(XeroValidationError) as refused:
        client.create_invoice(_draft(contact, "5003"), idempotency_key="invoice-5003")

    assert client.organisation().locked_through() == date(2025, 6, 30)
    assert "2025-06-30" in refused.value.messages[0]
