"""What the fakes learned for the push, over HTTP through our clients: QuickBooks' closing date
in Preferences and its refusal of a write dated inside it, customer creates with unique names
(6240), Xero's tracking options, and writes that commit and then stall past the timeout."""

from __future__ import annotations

import time
from datetime import date

import pytest

from roofops.integrations.quickbooks.client import QuickBooksFault
from roofops.integrations.quickbooks.schemas import CustomerDraft, InvoiceDraft, InvoiceLineDraft
from roofops.integrations.xero.client import XeroValidationError
from roofops.sandbox.quickbooks.fake import DEFAULT_REALM
from tests.fakes import SwappableApp
from tests.integrations.invoicing.conftest import RETRY, STALL, quickbooks_books, xero_books

Server = tuple[SwappableApp, str]


def test_quickbooks_preferences_carry_the_closing_date(books_server: Server) -> None:
    books = quickbooks_books(books_server)
    client = books.make_client(RETRY)
    assert client.preferences().book_close_date is None
    books.close(date(2026, 10, 31))
    assert client.preferences().book_close_date == date(2026, 10, 31)


def test_quickbooks_refuses_an_invoice_dated_inside_the_closed_books(books_server: Server) -> None:
    books = quickbooks_books(books_server)
    client = books.make_client(RETRY)
    customer = client.create_customer(CustomerDraft(display_name="Ann Lee"), request_id="c-1")
    books.close(date(2026, 10, 31))
    item = books.fake.books(DEFAULT_REALM).rows("Item")[0]["Id"]
    line = InvoiceLineDraft(amount=100, item_id=item)
    draft = InvoiceDraft(customer_id=customer.id, txn_date=date(2026, 10, 31), lines=[line])
    with pytest.raises(QuickBooksFault) as refused:
        client.create_invoice(draft, request_id="i-1")
    assert refused.value.fault_type == "ValidationFault"
    assert "closing date 2026-10-31" in refused.value.message
    later = draft.model_copy(update={"txn_date": date(2026, 11, 1)})
    assert client.create_invoice(later, request_id="i-2").txn_date == date(2026, 11, 1)


def test_quickbooks_customer_names_are_unique(books_server: Server) -> None:
    client = quickbooks_books(books_server).make_client(RETRY)
    parent = client.create_customer(CustomerDraft(display_name="Ann Lee"), request_id="c-1")
    project = client.create_customer(
        CustomerDraft(display_name="5003 Lee reroof", parent_id=parent.id), request_id="c-2"
    )
    assert (project.job, project.parent_ref and project.parent_ref.value) == (True, parent.id)
    with pytest.raises(QuickBooksFault) as refused:
        client.create_customer(CustomerDraft(display_name="Ann Lee"), request_id="c-3")
    assert refused.value.fault_code == "6240"
    # The same requestid is answered again, not refused: it is the same write.
    again = client.create_customer(CustomerDraft(display_name="Ann Lee"), request_id="c-1")
    assert again.id == parent.id


def test_a_stalled_write_has_committed_and_its_retry_is_answered_from_the_replay(
    books_server: Server,
) -> None:
    books = quickbooks_books(books_server)
    client = books.make_client(RETRY)
    books.stall_writes(1)
    created = client.create_customer(CustomerDraft(display_name="Ann Lee"), request_id="c-1")
    assert [c["Id"] for c in books.fake.books(DEFAULT_REALM).rows("Customer")] == [created.id]
    time.sleep(STALL)  # the stalled first try is logged once its answer finally goes out
    assert books.fake.requests.count(method="POST", path_contains="/customer") == 2


def test_xero_tracking_options_are_unique_per_category(books_server: Server) -> None:
    books = xero_books(books_server)
    client = books.make_client(RETRY)
    [job] = [c for c in client.tracking_categories() if c.name == "Job"]
    option = client.create_tracking_option(
        job.tracking_category_id, "5010 Diaz", idempotency_key="o-1"
    )
    assert option.name == "5010 Diaz"
    with pytest.raises(XeroValidationError) as refused:
        client.create_tracking_option(job.tracking_category_id, "5010 diaz", idempotency_key="o-2")
    assert "must be unique" in refused.value.message
    [job] = [c for c in client.tracking_categories() if c.name == "Job"]
    assert [o.name for o in job.options].count("5010 Diaz") == 1
