"""An insurance claim's money loop end to end, over real HTTP to the fake QuickBooks: the
contract from the RCV, the carrier's ACV invoice, the homeowner's deductible, an approved
supplement, completion, the depreciation release; each pushed through the connected company,
each paid in the books (the carrier's cheque split over two invoices), read back by a sync. The
job then owes nothing per payer, and every report agrees with the books to the cent."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from roofops.auth.principal import Principal
from roofops.config import Settings
from roofops.integrations.invoicing.push import InvoicePushService
from roofops.integrations.quickbooks.connection import QuickBooksConnection
from roofops.invoice.payments import invoice_payments_service
from roofops.invoice.schemas import InvoiceGenerate
from roofops.invoice.service import invoice_service
from roofops.models import ActorType, Invoice, Job, JobStage, PayerKind, Role
from roofops.models.financials import AccountingInvoice
from roofops.models.invoice import InvoiceKind, InvoicePayer, InvoiceStatus, PushStatus
from roofops.report.periods import Comparison, period
from roofops.report.service import finance_reports
from tests.factories import make_job
from tests.integrations.quickbooks.conftest import START, Harness
from tests.integrations.quickbooks.connecting import aimed_at, connect
from tests.integrations.quickbooks.ledgers import sync

FINANCE = Principal(None, "finance@example.com", "Fin", Role.ADMIN, ActorType.USER)
RCV, DEDUCTIBLE, DEPRECIATION = 1_100_000, 150_000, 250_000
ACV_CHEQUE = RCV - DEPRECIATION - DEDUCTIBLE
SUPPLEMENT = 123_456
DAY = START.date()
MONTH = f"{DAY:%Y-%m}"


def _claim(db: Session) -> Job:
    """No contract amount recorded: the invoices are figured from the claim's RCV."""
    job = make_job(db, number="7100", stage=JobStage.CONTRACT_SIGNED)
    job.payer = PayerKind.INSURANCE
    job.insurance_carrier, job.claim_number = "Granite State Mutual", "GSM-4411"
    job.rcv_cents, job.deductible_cents = RCV, DEDUCTIBLE
    job.depreciation_held_cents, job.acv_cents = DEPRECIATION, RCV - DEPRECIATION
    db.commit()
    return job


def _raise_and_push(
    db: Session,
    sessions: sessionmaker[Session],
    settings: Settings,
    job: Job,
    kind: InvoiceKind,
    **extra: object,
) -> Invoice:
    body = InvoiceGenerate.model_validate(
        {"job_id": job.id, "kind": kind, "issue_date": DAY, **extra}
    )
    invoice = invoice_service.generate(db, FINANCE, body)
    db.commit()
    assert InvoicePushService().push(sessions, settings, invoice.id) == PushStatus.PUSHED
    db.expire_all()
    return db.get_one(Invoice, invoice.id)


def _pay_in_the_books(qbo: Harness, parts: dict[Invoice, int]) -> None:
    """One payment entered in QuickBooks, applied to the given invoices as the books split it."""
    customer = qbo.books.get("Invoice", next(iter(parts)).accounting_id)["CustomerRef"]
    lines = [
        {
            "Amount": Decimal(cents) / 100,
            "LinkedTxn": [{"TxnId": invoice.accounting_id, "TxnType": "Invoice"}],
        }
        for invoice, cents in parts.items()
    ]
    total = Decimal(sum(parts.values())) / 100
    body = {"CustomerRef": customer, "TotalAmt": total, "TxnDate": DAY.isoformat(), "Line": lines}
    qbo.books.add("Payment", body)


def test_an_insurance_claim_from_acv_to_release_paid_through_the_books(
    qbo: Harness, session_maker: sessionmaker[Session], db: Session, settings: Settings
) -> None:
    # The fake's rate-limit clock is frozen in these tests: the pushes would use up its second.
    qbo.fake.limits.enabled = False
    aimed = aimed_at(settings, qbo)
    connection = QuickBooksConnection(clock=qbo.clock)
    connect(db, aimed, connection, FINANCE)
    qbo.books.add("Item", {"Name": "Roof Replacement", "Type": "Service"})
    job = _claim(db)

    def push(kind: InvoiceKind, **extra: object) -> Invoice:
        return _raise_and_push(db, session_maker, aimed, job, kind, **extra)

    acv = push(InvoiceKind.INSURANCE_ACV)
    deductible = push(InvoiceKind.DEDUCTIBLE)
    supplement = push(
        InvoiceKind.SUPPLEMENT, amount=Decimal(SUPPLEMENT) / 100, description="Rotten decking"
    )
    assert (acv.total_cents, deductible.total_cents) == (ACV_CHEQUE, DEDUCTIBLE)
    assert invoice_service.job_invoicing(db, job.id).depreciation_held_cents == DEPRECIATION

    db.get_one(Job, job.id).stage = JobStage.COMPLETED  # completion documented
    db.commit()
    release = push(InvoiceKind.DEPRECIATION_RELEASE)
    assert release.total_cents == DEPRECIATION
    ours = [acv, deductible, supplement, release]

    # The carrier's first cheque pays the ACV and the supplement; the homeowner the
    # deductible; the carrier's second cheque releases the depreciation.
    _pay_in_the_books(qbo, {acv: ACV_CHEQUE, supplement: SUPPLEMENT})
    _pay_in_the_books(qbo, {deductible: DEDUCTIBLE})
    _pay_in_the_books(qbo, {release: DEPRECIATION})
    client = lambda: connection.client(session_maker, aimed)  # noqa: E731
    assert sync(session_maker, client).status == "succeeded"

    db.expire_all()
    assert [db.get_one(Invoice, i.id).status for i in ours] == [InvoiceStatus.PAID] * 4
    figures = invoice_service.job_invoicing(db, job.id)
    assert figures.contract_cents == RCV  # the contract from the RCV
    assert figures.invoiced_cents == RCV + SUPPLEMENT
    assert figures.depreciation_held_cents == 0
    by_payer = {p.payer_kind: (p.invoiced_cents, p.paid_cents) for p in figures.payers}
    assert by_payer == {
        InvoicePayer.INSURANCE_CARRIER: (ACV_CHEQUE + SUPPLEMENT + DEPRECIATION,) * 2,
        InvoicePayer.HOMEOWNER: (DEDUCTIBLE, DEDUCTIBLE),
    }
    assert all(p.outstanding_cents == 0 for p in figures.payers)

    paid_per_payer: dict[InvoicePayer | None, int] = defaultdict(int)
    for part in invoice_payments_service.job_payments(db, job.id):
        paid_per_payer[part.payer_kind] += part.amount_cents
    assert paid_per_payer == {
        InvoicePayer.INSURANCE_CARRIER: ACV_CHEQUE + SUPPLEMENT + DEPRECIATION,
        InvoicePayer.HOMEOWNER: DEDUCTIBLE,
    }
    _reports_agree_with_the_books(db, job.id)


def _reports_agree_with_the_books(db: Session, job_id: uuid.UUID) -> None:
    in_books = db.scalars(
        sa.select(AccountingInvoice).where(AccountingInvoice.job_id == job_id)
    ).all()
    assert sorted(row.total_cents for row in in_books) == sorted(
        [ACV_CHEQUE, DEDUCTIBLE, SUPPLEMENT, DEPRECIATION]
    )
    assert all(row.balance_cents == 0 for row in in_books)

    revenue = finance_reports.revenue(db, period(MONTH, MONTH, DAY), Comparison.NONE)
    [month] = revenue.rows
    assert month["invoiced_books"] == sum(row.total_cents for row in in_books) == RCV + SUPPLEMENT
    assert month["invoiced_roofops"] == 0  # every one is in the books: counted once
    assert month["collected"] == RCV + SUPPLEMENT
    assert finance_reports.ar_aging(db, DAY + timedelta(days=90)).rows == []
    assert finance_reports.depreciation(db).rows == []
