"""An invoice pushed to each fake accounting system over real HTTP ends as exactly one invoice
in the books: under lost answers, writes that time out after committing, 429 storms, and a retry
long after the vendor forgot its idempotency key (the lookup by number finds it)."""

from __future__ import annotations

import time
import uuid
from dataclasses import replace
from decimal import Decimal

import pytest

from roofops.integrations.core.accounting import LineToPush
from roofops.invoice.amounts import dollars
from roofops.models import Invoice, Provider
from roofops.models.invoice import InvoiceStatus, PushStatus
from tests.factories import make_job
from tests.integrations.invoicing.conftest import ONE_TRY, STALL, Books, Pushing, deposit


def _exactly_one(books: Books, invoice: Invoice) -> None:
    remote = books.invoices_numbered(invoice.number)
    assert len(remote) == 1, remote
    id_field = "Id" if books.provider == Provider.QUICKBOOKS else "InvoiceID"
    assert invoice.accounting_id == remote[0][id_field]
    assert invoice.accounting_provider == books.provider


def test_a_push_lands_once_with_its_state(pushing: Pushing) -> None:
    invoice = pushing.push(pushing.deposit())
    assert (invoice.push_status, invoice.push_error, invoice.push_attempts) == (
        PushStatus.PUSHED,
        "",
        1,
    )
    assert invoice.pushed_at is not None
    assert invoice.status == InvoiceStatus.SENT  # in the books: issued, not a draft
    _exactly_one(pushing.books, invoice)
    [remote] = pushing.books.invoices_numbered(invoice.number)
    quickbooks = pushing.books.provider == Provider.QUICKBOOKS
    assert int((remote["TotalAmt"] if quickbooks else remote["Total"]) * 100) == invoice.total_cents
    memo = remote.get("PrivateNote") if quickbooks else remote.get("Reference")
    assert "deposit invoice, paid by the homeowner" in str(memo)


def test_quickbooks_gets_the_jobs_project_and_xero_the_jobs_tracking(pushing: Pushing) -> None:
    invoice = pushing.push(pushing.deposit())
    [remote] = pushing.books.invoices_numbered(invoice.number)
    if pushing.books.provider == Provider.QUICKBOOKS:
        books = pushing.books.fake.books()
        project = books.get("Customer", remote["CustomerRef"]["value"])
        assert project["Job"] is True
        assert project["DisplayName"].startswith(f"{pushing.job.number} ")
        parent = books.get("Customer", project["ParentRef"]["value"])
        assert parent["DisplayName"] == pushing.job.customer.display_name
    else:
        [line] = remote["LineItems"]
        assert [(t["Name"], t["Option"]) for t in line["Tracking"]] == [
            ("Job", f"{pushing.job.number} Cooper reroof")
        ]
        assert remote["Contact"]["Name"] == pushing.job.customer.display_name


def test_lost_answers_leave_one_invoice(pushing: Pushing) -> None:
    pushing.books.lose_answers(4)  # the customer or contact and the invoice: answers lost
    invoice = pushing.push(pushing.deposit())
    assert invoice.push_status == PushStatus.PUSHED, invoice.push_error
    _exactly_one(pushing.books, invoice)
    assert pushing.books.invoice_writes() >= 2  # the lost one was retried, and replayed


def test_a_write_that_commits_then_times_out_leaves_one_invoice(pushing: Pushing) -> None:
    pushing.books.stall_writes(3)
    invoice = pushing.push(pushing.deposit())
    assert invoice.push_status == PushStatus.PUSHED, invoice.push_error
    _exactly_one(pushing.books, invoice)
    time.sleep(STALL)  # the stalled first try is logged once its answer finally goes out
    assert pushing.books.invoice_writes() >= 2  # timed out, retried, answered from the replay


def test_a_429_storm_is_ridden_out(pushing: Pushing) -> None:
    invoice = pushing.deposit()
    pushing.books.storm(150.0)
    invoice = pushing.push(invoice)
    assert invoice.push_status == PushStatus.PUSHED, invoice.push_error
    _exactly_one(pushing.books, invoice)
    assert sum(pushing.books.sleep.delays) >= 150.0  # it waited the storm out


def test_a_retry_after_the_key_window_finds_the_invoice_by_number(pushing: Pushing) -> None:
    """The create committed and its answer was lost; the push gave up (one try). A day later
    the vendor has forgotten the key: the lookup by number finds the invoice, no second."""
    pushing.push(pushing.deposit())
    invoice = pushing.progress()  # its project or contact is in the books already
    pushing.books.retry = ONE_TRY
    pushing.books.without_rate_limits()
    pushing.books.lose_answers(1)
    failed = pushing.push(invoice)
    assert failed.push_status == PushStatus.FAILED
    assert "502" in failed.push_error
    assert failed.status == InvoiceStatus.DRAFT  # not issued as far as roofops knows
    assert len(pushing.books.invoices_numbered(invoice.number)) == 1

    pushing.books.later(24 * 60)
    writes = pushing.books.invoice_writes()
    invoice = pushing.push(invoice)
    assert invoice.push_status == PushStatus.PUSHED, invoice.push_error
    assert invoice.push_attempts == 2
    assert pushing.books.invoice_writes() == writes  # found, not created again
    _exactly_one(pushing.books, invoice)


def test_a_pushed_invoice_is_not_pushed_again(pushing: Pushing) -> None:
    invoice = pushing.push(pushing.deposit())
    writes = pushing.books.invoice_writes()
    again = pushing.push(invoice)
    assert (again.push_status, again.push_attempts) == (PushStatus.PUSHED, 1)
    assert pushing.books.invoice_writes() == writes


def test_xero_creates_the_jobs_tracking_option_when_missing(pushing: Pushing) -> None:
    if pushing.books.provider != Provider.XERO:
        pytest.skip("QuickBooks tracks jobs by project")
    other = make_job(pushing.db, number="5010", name="Diaz repair", contract_cents=900_000)
    invoice = pushing.push(deposit(pushing.db, pushing.principal, other))
    assert invoice.push_status == PushStatus.PUSHED, invoice.push_error
    [remote] = pushing.books.invoices_numbered(invoice.number)
    assert [t["Option"] for t in remote["LineItems"][0]["Tracking"]] == ["5010 Diaz repair"]
    [job_category] = [
        c for c in pushing.books.fake.books(pushing.books.tenant).tracking if c["Name"] == "Job"
    ]
    assert [o["Name"] for o in job_category["Options"]].count("5010 Diaz repair") == 1


def test_a_different_invoice_under_our_number_is_never_taken_for_ours(pushing: Pushing) -> None:
    """A bookkeeper raised an invoice in the books under the number ours takes, for another
    amount: the push fails saying so, and links nothing (a payment against the books' invoice
    would settle ours wrongly)."""
    pushing.push(pushing.deposit())  # the job's project or contact is in the books
    invoice = pushing.progress()
    ours = pushing.snapshot(invoice)
    cents = ours.total_cents - 1  # a cent apart: rounded another way
    bookkeepers = replace(
        ours,
        invoice_id=uuid.uuid4(),
        total_cents=cents,
        lines=(LineToPush("Progress billed by the bookkeeper", Decimal(1), cents, cents),),
    )
    pushing.writer().create_invoice(bookkeepers)

    failed = pushing.push(invoice)

    assert failed.push_status == PushStatus.FAILED
    assert f"already holds an invoice numbered {invoice.number}" in failed.push_error
    assert dollars(cents) in failed.push_error
    assert dollars(ours.total_cents) in failed.push_error
    assert failed.accounting_id == ""
    assert len(pushing.books.invoices_numbered(invoice.number)) == 1  # the bookkeeper's only
