"""Payments flow back from the fake QuickBooks over HTTP: one entered only in the books marks
our invoice paid, a payment split over two invoices is split as the books split it, a deleted
payment reverts the invoice, payments are read incrementally, and a sync that fails half-way
writes nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import unquote_plus

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from roofops.models import ActorType, InvoiceStatus, Provider, SyncRunStatus
from roofops.models.financials import AccountingPayment
from roofops.sandbox.quickbooks.store import Books
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
from tests.integrations.quickbooks.conftest import REALM, Harness
from tests.integrations.quickbooks.ledgers import sync


def _books_invoices(books: Books) -> dict[str, str]:
    """The books' copies of our two invoices (same numbers, same totals); Ids by number."""
    customer = books.add("Customer", {"DisplayName": "Jane Smith"})
    item = books.add("Item", {"Name": "Roof", "Type": "Service"})
    ids = {}
    for number, cents in (("5003", DEPOSIT), ("5003-2", PROGRESS)):
        line = {
            "Amount": Decimal(cents) / 100,
            "DetailType": "SalesItemLineDetail",
            "SalesItemLineDetail": {"ItemRef": {"value": item["Id"]}},
        }
        body = {
            "CustomerRef": {"value": customer["Id"]},
            "DocNumber": number,
            "DueDate": "2025-07-02",
            "Line": [line],
        }
        ids[number] = books.add("Invoice", body)["Id"]
    return ids


def _post(qbo: Harness, body: dict[str, Any], operation: str | None = None) -> httpx.Response:
    return httpx.post(
        f"{qbo.url}/v3/company/{REALM}/payment",
        params={"operation": operation} if operation else {},
        json=body,
        headers={"Authorization": f"Bearer {qbo.token()}", "Accept": "application/json"},
    )


def _pay(qbo: Harness, *split: tuple[str, int], unapplied: int = 0) -> dict[str, Any]:
    """One payment of the invoices' customer over HTTP, ``(invoice Id, cents)`` per line."""
    invoice = qbo.books.get("Invoice", split[0][0]) or {}
    lines = [
        {"Amount": cents / 100, "LinkedTxn": [{"TxnId": invoice_id, "TxnType": "Invoice"}]}
        for invoice_id, cents in split
    ]
    total = (sum(cents for _, cents in split) + unapplied) / 100
    body = {"CustomerRef": invoice["CustomerRef"], "TotalAmt": total, "Line": lines}
    response = _post(qbo, body | {"PaymentRefNum": "CHK-2231", "TxnDate": "2025-06-02"})
    assert response.status_code == 200, response.text
    payment: dict[str, Any] = response.json()["Payment"]
    return payment


@pytest.fixture
def raised(qbo: Harness, db: Session) -> tuple[Raised, dict[str, str]]:
    return raise_and_send(db), _books_invoices(qbo.books)


def test_a_payment_entered_only_in_the_books_marks_our_invoice_paid(
    qbo: Harness,
    raised: tuple[Raised, dict[str, str]],
    session_maker: sessionmaker[Session],
    db: Session,
) -> None:
    ours, books = raised
    sync(session_maker, qbo.client, full=True)
    assert paid(db, ours.deposit) == (0, InvoiceStatus.SENT)
    # Found by number, the link is kept: the next sync finds it by the books' Id.
    assert link_of(db, ours.deposit) == (Provider.QUICKBOOKS, books["5003"])
    qbo.clock.advance(600)
    payment = _pay(qbo, (books["5003"], DEPOSIT))

    run = sync(session_maker, qbo.client)

    assert run.status == SyncRunStatus.SUCCEEDED, run.error
    assert paid(db, ours.deposit) == (DEPOSIT, InvoiceStatus.PAID)
    assert paid(db, ours.progress) == (0, InvoiceStatus.SENT)
    row = payment_row(db, payment["Id"])
    assert (row.total_cents, row.unapplied_cents, row.reference) == (DEPOSIT, 0, "CHK-2231")
    audit = settled_by(db, ours.deposit)[-1]
    assert (audit.actor_type, audit.actor_label) == (ActorType.SYNC, "QuickBooks sync")
    assert audit.changes["paid"] == {"old": "0", "new": "5535"}
    assert audit.changes["status"] == {"old": "sent", "new": "paid"}


def test_a_payment_split_over_two_invoices_is_split_as_the_books_split_it(
    qbo: Harness,
    raised: tuple[Raised, dict[str, str]],
    session_maker: sessionmaker[Session],
    db: Session,
) -> None:
    ours, books = raised
    payment = _pay(qbo, (books["5003"], DEPOSIT), (books["5003-2"], 200_000), unapplied=5_000)

    run = sync(session_maker, qbo.client, full=True)

    assert run.status == SyncRunStatus.SUCCEEDED, run.error
    assert split_of(db, payment["Id"]) == {books["5003"]: DEPOSIT, books["5003-2"]: 200_000}
    assert payment_row(db, payment["Id"]).unapplied_cents == 5_000  # held on account
    assert paid(db, ours.deposit) == (DEPOSIT, InvoiceStatus.PAID)
    assert paid(db, ours.progress) == (200_000, InvoiceStatus.PARTIALLY_PAID)


@pytest.mark.parametrize("full", [False, True], ids=["cdc-deletion", "full-read-reconcile"])
def test_a_deleted_payment_reverts_the_invoice(
    qbo: Harness,
    raised: tuple[Raised, dict[str, str]],
    session_maker: sessionmaker[Session],
    db: Session,
    full: bool,
) -> None:
    ours, books = raised
    kept = _pay(qbo, (books["5003-2"], 100_000))
    gone = _pay(qbo, (books["5003"], DEPOSIT), (books["5003-2"], 50_000))
    sync(session_maker, qbo.client, full=True)
    assert paid(db, ours.progress) == (150_000, InvoiceStatus.PARTIALLY_PAID)
    qbo.clock.advance(600)

    deleted = _post(qbo, {"Id": gone["Id"], "SyncToken": gone["SyncToken"]}, "delete")
    assert deleted.status_code == 200, deleted.text
    run = sync(session_maker, qbo.client, full=full)

    assert run.status == SyncRunStatus.SUCCEEDED, run.error
    assert paid(db, ours.deposit) == (0, InvoiceStatus.SENT)
    assert paid(db, ours.progress) == (100_000, InvoiceStatus.PARTIALLY_PAID)
    assert payment_row(db, gone["Id"]).deleted
    assert split_of(db, gone["Id"]) == {}
    assert split_of(db, kept["Id"]) == {books["5003-2"]: 100_000}


def test_payments_are_read_incrementally(
    qbo: Harness,
    raised: tuple[Raised, dict[str, str]],
    session_maker: sessionmaker[Session],
    db: Session,
) -> None:
    _ours, books = raised
    sync(session_maker, qbo.client, full=True)
    qbo.clock.advance(600)
    first = _pay(qbo, (books["5003"], 100_000))
    # The cursor is QuickBooks' clock at the read, less a 5-minute overlap on the next one:
    # ten minutes on, that read no longer reaches back to the first payment.
    qbo.clock.advance(600)
    sync(session_maker, qbo.client)
    written_at = payment_row(db, first["Id"]).updated_at
    qbo.clock.advance(600)
    _pay(qbo, (books["5003-2"], 100_000))

    run = sync(session_maker, qbo.client)

    assert run.status == SyncRunStatus.SUCCEEDED, run.error
    assert run.requests == 1  # one CDC call
    assert run.fetched == 2  # the new payment and the invoice it changed, nothing else
    assert (run.created, run.updated, run.unchanged) == (1, 1, 0)
    assert payment_row(db, first["Id"]).updated_at == written_at  # not written again
    assert db.scalar(sa.select(sa.func.count()).select_from(AccountingPayment)) == 2


class _PaymentsDown:
    """QuickBooks answering 503 to every query of payments: a full read fails after it has
    read the invoices (which come first)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        query = unquote_plus(scope.get("query_string", b"").decode()).casefold()
        if scope["type"] == "http" and "from payment" in query:
            await Response("Service Unavailable", status_code=503)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def test_a_sync_that_fails_half_way_writes_nothing(
    qbo: Harness,
    raised: tuple[Raised, dict[str, str]],
    session_maker: sessionmaker[Session],
    db: Session,
) -> None:
    ours, books = raised
    sync(session_maker, qbo.client, full=True)
    audited = len(settled_by(db, ours.deposit))  # the link kept by the first sync
    qbo.clock.advance(600)
    payment = _pay(qbo, (books["5003"], DEPOSIT))
    qbo.server.app = _PaymentsDown(qbo.server.app)

    run = sync(session_maker, qbo.client, full=True)

    assert run.status == SyncRunStatus.FAILED
    assert paid(db, ours.deposit) == (0, InvoiceStatus.SENT)
    assert (
        db.scalar(
            sa.select(AccountingPayment).where(AccountingPayment.external_id == payment["Id"])
        )
        is None
    )
    assert len(settled_by(db, ours.deposit)) == audited


def test_the_fake_refuses_a_payment_above_an_invoice_balance(
    qbo: Harness, raised: tuple[Raised, dict[str, str]]
) -> None:
    _ours, books = raised
    _pay(qbo, (books["5003"], DEPOSIT - 100))
    invoice = qbo.books.get("Invoice", books["5003"]) or {}
    line = {"Amount": 2.00, "LinkedTxn": [{"TxnId": books["5003"], "TxnType": "Invoice"}]}
    body = {"CustomerRef": invoice["CustomerRef"], "TotalAmt": 2.00, "Line": [line]}

    refused = _post(qbo, body)

    assert refused.status_code == 400
    error = refused.json()["Fault"]["Error"][0]
    assert error["code"] == "6000"
    assert "open balance" in error["Detail"]
    assert invoice["Balance"] == Decimal("1.00")
    assert qbo.books.count("Payment") == 1
