"""Payments flow back from the fake Xero over HTTP: customer payments (ACCRECPAYMENT) read by
If-Modified-Since mark our invoices paid, supplier payments are ignored, a DELETED payment
reverts the invoice, only changed payments are read the second time, and a sync that fails
half-way writes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from roofops.config import get_settings
from roofops.integrations.core.runner import run_sync
from roofops.integrations.core.runs import open_run
from roofops.integrations.xero.sync_service import XeroSync
from roofops.models import ActorType, InvoiceStatus, Provider, SyncKind, SyncRun, SyncRunStatus
from roofops.models.financials import AccountingInvoice, AccountingPayment
from roofops.sandbox.xero.store import Books
from tests.integrations.paid_from_books import (
    DEPOSIT,
    PROGRESS,
    Raised,
    link_of,
    paid,
    payment_row,
    raise_and_send,
    settled_by,
    split_of,
)
from tests.integrations.xero.conftest import client_of
from tests.sandbox.xero.harness import XeroHarness, add_contact, invoice_body


def _sync(sessions: sessionmaker[Session], xero: XeroHarness, *, full: bool = False) -> SyncRun:
    with sessions.begin() as db:
        run_id = open_run(db, Provider.XERO, SyncKind.INCREMENTAL, triggered_by="test").id
    sync = XeroSync(lambda _sessions, _settings: client_of(xero))
    run_sync(sessions, get_settings(), sync, run_id=run_id, full=full)
    with sessions() as db:
        run = db.get(SyncRun, run_id)
        assert run is not None
        return run


def _put(xero: XeroHarness, resource: str, body: dict[str, Any]) -> dict[str, Any]:
    response = xero.api("PUT", resource, json={resource: [body]})
    assert response.status_code == 200, response.text
    row: dict[str, Any] = response.json()[resource][0]
    return row


def _pay(xero: XeroHarness, invoice_id: str, cents: int, reference: str = "EFT 88") -> str:
    body = {"Invoice": {"InvoiceID": invoice_id}, "Account": {"Code": "090"}}
    body |= {"Date": "2025-06-02", "Amount": cents / 100, "Reference": reference}
    return str(_put(xero, "Payments", body)["PaymentID"])


def _delete(xero: XeroHarness, payment_id: str) -> None:
    response = xero.api("POST", f"Payments/{payment_id}", json={"Status": "DELETED"})
    assert response.status_code == 200, response.text


def _books_invoices(xero: XeroHarness) -> dict[str, str]:
    """The books' copies of our two invoices, and a supplier's bill; InvoiceIDs by number."""
    customer = add_contact(xero, "Jane Smith")
    ids = {
        number: _put(xero, "Invoices", invoice_body(customer, number, cents / 100))["InvoiceID"]
        for number, cents in (("5003", DEPOSIT), ("5003-2", PROGRESS))
    }
    supplier = add_contact(xero, "ABC Supply")
    bill = invoice_body(supplier, "SUP-1", 900.0, Type="ACCPAY")
    ids["bill"] = _put(xero, "Invoices", bill)["InvoiceID"]
    return ids


@pytest.fixture
def raised(xero: XeroHarness, db: Session) -> tuple[Raised, dict[str, str]]:
    return raise_and_send(db), _books_invoices(xero)


def test_payments_entered_only_in_xero_mark_our_invoices_paid(
    xero: XeroHarness,
    raised: tuple[Raised, dict[str, str]],
    session_maker: sessionmaker[Session],
    db: Session,
) -> None:
    ours, books = raised
    deposit = _pay(xero, books["5003"], DEPOSIT)
    part = _pay(xero, books["5003-2"], 200_000)
    supplier = _pay(xero, books["bill"], 90_000)  # our payment to a supplier: no job income

    run = _sync(session_maker, xero, full=True)

    assert run.status == SyncRunStatus.SUCCEEDED, run.error
    assert paid(db, ours.deposit) == (DEPOSIT, InvoiceStatus.PAID)
    assert paid(db, ours.progress) == (200_000, InvoiceStatus.PARTIALLY_PAID)
    assert link_of(db, ours.progress) == (Provider.XERO, books["5003-2"])
    assert split_of(db, deposit) == {books["5003"]: DEPOSIT}
    assert split_of(db, part) == {books["5003-2"]: 200_000}
    assert payment_row(db, part).reference == "EFT 88"
    assert (
        db.scalar(sa.select(AccountingPayment).where(AccountingPayment.external_id == supplier))
        is None
    )
    due = db.scalar(
        sa.select(AccountingInvoice.due_date).where(AccountingInvoice.external_id == books["5003"])
    )
    assert str(due) == "2025-07-01"  # the books' DueDate, for AR aging
    audit = settled_by(db, ours.deposit)[-1]
    assert (audit.actor_type, audit.actor_label) == (ActorType.SYNC, "Xero sync")


@pytest.mark.parametrize("full", [False, True], ids=["incremental", "full"])
def test_a_deleted_payment_reverts_the_invoice(
    xero: XeroHarness,
    raised: tuple[Raised, dict[str, str]],
    session_maker: sessionmaker[Session],
    db: Session,
    full: bool,
) -> None:
    ours, books = raised
    gone = _pay(xero, books["5003"], DEPOSIT)
    kept = _pay(xero, books["5003-2"], 100_000)
    _sync(session_maker, xero, full=True)
    assert paid(db, ours.deposit) == (DEPOSIT, InvoiceStatus.PAID)
    xero.clock.advance(timedelta(minutes=30))

    _delete(xero, gone)
    run = _sync(session_maker, xero, full=full)

    assert run.status == SyncRunStatus.SUCCEEDED, run.error
    assert paid(db, ours.deposit) == (0, InvoiceStatus.SENT)
    assert payment_row(db, gone).deleted
    assert split_of(db, gone) == {}
    assert split_of(db, kept) == {books["5003-2"]: 100_000}


def test_payments_are_read_incrementally(
    xero: XeroHarness,
    raised: tuple[Raised, dict[str, str]],
    session_maker: sessionmaker[Session],
    db: Session,
) -> None:
    _ours, books = raised
    _sync(session_maker, xero, full=True)
    xero.clock.advance(timedelta(minutes=30))
    first = _pay(xero, books["5003"], 100_000)
    # The cursor is the newest change read, less a 5-minute overlap: this read still takes
    # what the set-up made in its one frozen instant, the next one only what came after.
    _sync(session_maker, xero)
    written_at = payment_row(db, first).updated_at
    xero.clock.advance(timedelta(minutes=30))
    second = _pay(xero, books["5003-2"], 100_000)

    run = _sync(session_maker, xero)

    assert run.status == SyncRunStatus.SUCCEEDED, run.error
    # The new payment and the invoice it changed, and (the overlap behind the newest change
    # read) the first payment and its invoice again, unchanged: they cost no write.
    assert run.fetched == 4
    assert (run.created, run.updated, run.unchanged) == (1, 1, 2)
    assert run.requests == 4  # accounts, invoices, credit notes, payments: one page each
    assert payment_row(db, first).updated_at == written_at
    assert split_of(db, second) == {books["5003-2"]: 100_000}


def test_a_sync_that_fails_half_way_writes_nothing(
    xero: XeroHarness,
    raised: tuple[Raised, dict[str, str]],
    session_maker: sessionmaker[Session],
    db: Session,
) -> None:
    ours, books = raised
    _sync(session_maker, xero, full=True)
    audited = len(settled_by(db, ours.deposit))
    xero.clock.advance(timedelta(minutes=30))
    payment = _pay(xero, books["5003"], DEPOSIT)

    def down_after_invoices(_books: Books, resource: str, _page: int) -> None:
        if resource == "Invoices":  # read: Xero goes down before the payments are
            xero.fake.faults.server_errors = 1_000

    xero.fake.between_pages.append(down_after_invoices)
    run = _sync(session_maker, xero, full=True)

    assert run.status == SyncRunStatus.FAILED
    assert paid(db, ours.deposit) == (0, InvoiceStatus.SENT)
    assert (
        db.scalar(sa.select(AccountingPayment).where(AccountingPayment.external_id == payment))
        is None
    )
    assert len(settled_by(db, ours.deposit)) == audited
