"""A company that keeps its books in QuickBooks, inserted row by row, and the same rows kept as
plain values so that each test works out what a report must say on its own.

The books hold: our invoices (one pushed, one matched by its number), an invoice roofops did
not raise, a voided and a deleted one, and invoices whose due dates sit on every aging edge;
payments (one split over two invoices, one left on account, a deleted one). Roofops holds
invoices the books do not have yet (one issued, one draft, one void). A Xero invoice and
payment from an old connection must count nowhere.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from roofops.models import Job, JobStage
from roofops.models.enums import AccountingDocStatus, ConnectionStatus, PayerKind, Provider
from roofops.models.financials import (
    AccountingInvoice,
    AccountingPayment,
    AccountingPaymentAllocation,
)
from roofops.models.integration import IntegrationConnection
from roofops.models.invoice import Invoice, InvoiceKind, InvoicePayer, InvoiceStatus, PushStatus
from tests.factories import make_job
from tests.invoice.conftest import finance, insurance_job  # noqa: F401 (the claim's fixtures)

AS_OF = date(2026, 6, 30)
QB, XERO = Provider.QUICKBOOKS, Provider.XERO
OPEN, PAID = AccountingDocStatus.OPEN, AccountingDocStatus.PAID
VOIDED, DELETED = AccountingDocStatus.VOIDED, AccountingDocStatus.DELETED
# Days past due on the as-of date -> the bucket it must land in.
EDGES = {0: "current", 30: "days_1_30", 31: "days_31_60", 60: "days_31_60", 61: "days_61_90"}
EDGES |= {90: "days_61_90", 91: "days_over_90", -5: "current", 1: "days_1_30"}


@dataclass
class Books:
    """What was inserted, as plain values (the tests' raw rows)."""

    acme: Job
    claim: Job
    books_invoices: list[AccountingInvoice] = field(default_factory=list)
    ours: list[Invoice] = field(default_factory=list)
    payments: list[tuple[AccountingPayment, list[AccountingPaymentAllocation]]] = field(
        default_factory=list
    )
    edge_numbers: dict[str, int] = field(default_factory=dict)  # number -> days past due


def _books_invoice(db: Session, books: Books, provider: Provider, **values: object) -> None:
    row = AccountingInvoice(provider=provider, customer_ref="c1", **values)
    db.add(row)
    books.books_invoices.append(row)


def _ours(db: Session, books: Books, job: Job, sequence: int, **values: object) -> Invoice:
    number = job.number if sequence == 1 else f"{job.number}-{sequence}"
    defaults: dict[str, object] = {
        "job_id": job.id,
        "sequence": sequence,
        "number": number,
        "kind": InvoiceKind.PROGRESS,
        "payer_kind": InvoicePayer.HOMEOWNER,
        "payer_name": "Pat Doe",
        "issue_date": date(2026, 4, 15),
        "due_date": date(2026, 5, 15),
        "status": InvoiceStatus.SENT,
    }
    invoice = Invoice(**(defaults | values))
    db.add(invoice)
    books.ours.append(invoice)
    return invoice


def _payment(
    db: Session,
    books: Books,
    provider: Provider,
    day: date,
    split: dict[str, int],
    *,
    unapplied: int = 0,
    deleted: bool = False,
) -> None:
    payment = AccountingPayment(
        provider=provider,
        external_id=f"pay-{uuid.uuid4().hex[:8]}",
        txn_date=day,
        total_cents=sum(split.values()) + unapplied,
        unapplied_cents=unapplied,
        deleted=deleted,
    )
    db.add(payment)
    db.flush()
    allocations = [
        AccountingPaymentAllocation(
            payment_id=payment.id, invoice_external_id=external_id, amount_cents=cents
        )
        for external_id, cents in split.items()
    ]
    db.add_all(allocations)
    books.payments.append((payment, allocations))


@pytest.fixture
def books(db: Session) -> Books:
    return insert_books(db)


def insert_books(db: Session) -> Books:
    """The company's books and ours (flushed, not committed)."""
    db.add(IntegrationConnection(provider=QB, status=ConnectionStatus.CONNECTED))
    db.add(IntegrationConnection(provider=XERO, status=ConnectionStatus.DISCONNECTED))
    acme = make_job(db, number="5003", stage=JobStage.IN_PRODUCTION, contract_cents=2_000_000)
    claim = make_job(db, number="7100", stage=JobStage.COMPLETED)
    claim.payer = PayerKind.INSURANCE
    claim.insurance_carrier, claim.claim_number = "Granite State Mutual", "GSM-4411"
    claim.rcv_cents, claim.deductible_cents, claim.depreciation_held_cents = (
        1_100_000,
        150_000,
        250_000,
    )
    books = Books(acme, claim)

    # Ours, pushed (found by its accounting id) and numbered like the books (found by number).
    _ours(
        db,
        books,
        claim,
        1,
        kind=InvoiceKind.INSURANCE_ACV,
        payer_kind=InvoicePayer.INSURANCE_CARRIER,
        total_cents=700_000,
        paid_cents=500_000,
        push_status=PushStatus.PUSHED,
        accounting_provider=QB,
        accounting_id="qb-1",
        issue_date=date(2026, 3, 5),
    )
    _ours(db, books, acme, 1, kind=InvoiceKind.DEPOSIT, total_cents=200_000, paid_cents=200_000)
    _books_invoice(
        db, books, QB, external_id="qb-1", doc_number="7100", job_id=claim.id,
        txn_date=date(2026, 3, 5), due_date=date(2026, 4, 4),
        total_cents=700_000, balance_cents=200_000, status=OPEN,
    )  # fmt: skip
    _books_invoice(
        db, books, QB, external_id="qb-2", doc_number="5003", job_id=acme.id,
        txn_date=date(2026, 3, 10), due_date=None,
        total_cents=200_000, balance_cents=0, status=PAID,
    )  # fmt: skip
    # Raised in the books, not by roofops; voided; deleted.
    _books_invoice(
        db, books, QB, external_id="qb-3", doc_number="B-900", job_id=None,
        txn_date=date(2026, 4, 1), due_date=date(2026, 5, 1),
        total_cents=150_000, balance_cents=150_000, status=OPEN,
    )  # fmt: skip
    _books_invoice(
        db, books, QB, external_id="qb-4", doc_number="B-901", job_id=acme.id,
        txn_date=date(2026, 4, 2), due_date=date(2026, 5, 2),
        total_cents=99_900, balance_cents=99_900, status=VOIDED,
    )  # fmt: skip
    _books_invoice(
        db, books, QB, external_id="qb-5", doc_number="B-902", job_id=acme.id,
        txn_date=date(2026, 4, 3), due_date=date(2026, 5, 3),
        total_cents=88_800, balance_cents=88_800, status=DELETED,
    )  # fmt: skip
    # Aging edges: balances of distinct sizes so a wrong bucket shows in the sums.
    for index, days in enumerate(sorted(EDGES)):
        number = f"E-{index}"
        books.edge_numbers[number] = days
        due = AS_OF - timedelta(days=days)
        _books_invoice(
            db, books, QB, external_id=f"qb-e{index}", doc_number=number, job_id=None,
            txn_date=min(due, AS_OF) - timedelta(days=30), due_date=due,
            total_cents=10_000 * (index + 1), balance_cents=1_000 * (index + 1), status=OPEN,
        )  # fmt: skip
    # Dated after the as-of date: not owed yet on it.
    _books_invoice(
        db, books, QB, external_id="qb-late", doc_number="B-903", job_id=None,
        txn_date=AS_OF + timedelta(days=1), due_date=AS_OF + timedelta(days=31),
        total_cents=40_000, balance_cents=40_000, status=OPEN,
    )  # fmt: skip
    # An old Xero organisation's documents: not the company's books now.
    _books_invoice(
        db, books, XERO, external_id="x-1", doc_number="X-1", job_id=acme.id,
        txn_date=date(2026, 4, 5), due_date=date(2026, 5, 5),
        total_cents=77_700, balance_cents=77_700, status=OPEN,
    )  # fmt: skip

    # Ours the books do not hold yet: issued (counts), a draft and a void (count nowhere).
    _ours(
        db,
        books,
        acme,
        2,
        payer_kind=InvoicePayer.FINANCING,
        payer_name="GreenSky",
        total_cents=300_000,
        paid_cents=50_000,
        issue_date=date(2026, 4, 20),
        due_date=date(2026, 5, 20),
        sent_at=None,
        status=InvoiceStatus.OVERDUE,
    )
    # Pushed, but no sync has read it back yet: still owed, counted as ours until one does.
    _ours(
        db,
        books,
        acme,
        5,
        total_cents=123_400,
        issue_date=date(2026, 5, 12),
        due_date=date(2026, 6, 11),
        push_status=PushStatus.PUSHED,
        accounting_provider=QB,
        accounting_id="qb-not-read-yet",
        status=InvoiceStatus.SENT,
    )
    _ours(db, books, acme, 3, total_cents=111_100, status=InvoiceStatus.DRAFT)
    _ours(db, books, acme, 4, total_cents=222_200, status=InvoiceStatus.VOID)

    db.flush()
    # One payment split over two invoices; one left on account; a deleted one; a Xero one.
    _payment(db, books, QB, date(2026, 3, 20), {"qb-1": 500_000, "qb-2": 200_000})
    _payment(db, books, QB, date(2026, 4, 2), {}, unapplied=25_000)
    _payment(db, books, QB, date(2026, 4, 9), {"qb-3": 12_300}, deleted=True)
    _payment(db, books, XERO, date(2026, 4, 9), {"x-1": 45_600})
    _payment(db, books, QB, date(2026, 6, 30), {"qb-e0": 9_000})
    db.flush()
    return books
