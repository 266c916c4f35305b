"""Invoices from a job: numbering, each kind's amount on worked examples, and the refusals."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session

from roofops.audit.service import audit_service
from roofops.auth.principal import Principal
from roofops.exceptions import Conflict, ValidationFailed
from roofops.invoice.schemas import InvoiceGenerate
from roofops.invoice.service import InvoiceFilters, invoice_service
from roofops.kit.paging import PageRequest
from roofops.models import (
    Customer,
    InvoiceKind,
    InvoicePayer,
    InvoiceStatus,
    Job,
    JobStage,
    PushStatus,
)
from roofops.models.invoice import Invoice
from tests.factories import make_job
from tests.invoice.conftest import DEDUCTIBLE, DEPRECIATION, RCV, RETAIL_CONTRACT


def _raise(db: Session, who: Principal, job: Job, kind: InvoiceKind, **fields: Any) -> Invoice:
    body = InvoiceGenerate(job_id=job.id, kind=kind, **fields)
    return invoice_service.generate(db, who, body)


def _balances(db: Session, job: Job) -> dict[InvoicePayer, tuple[int, int]]:
    figures = invoice_service.job_invoicing(db, job.id)
    return {p.payer_kind: (p.invoiced_cents, p.outstanding_cents) for p in figures.payers}


def test_retail_job_deposit_progress_final_add_up_to_the_contract(
    db: Session, finance: Principal, retail_job: Job
) -> None:
    deposit = _raise(db, finance, retail_job, InvoiceKind.DEPOSIT, percent=Decimal(30))
    progress = _raise(
        db, finance, retail_job, InvoiceKind.PROGRESS, percent=Decimal(40), description="Dry-in"
    )
    final = _raise(db, finance, retail_job, InvoiceKind.FINAL)

    assert [deposit.number, progress.number, final.number] == ["5003", "5003-2", "5003-3"]
    assert deposit.total_cents == 553_500  # 30 % of $18,450.00
    assert progress.total_cents == 738_000  # 40 %
    assert final.total_cents == RETAIL_CONTRACT - 553_500 - 738_000 == 553_500
    assert [line.amount_cents for line in final.lines] == [RETAIL_CONTRACT, -1_291_500]
    assert {i.payer_kind for i in (deposit, progress, final)} == {InvoicePayer.HOMEOWNER}
    assert deposit.payer_name == db.get_one(Customer, retail_job.customer_id).display_name
    assert deposit.status == InvoiceStatus.DRAFT
    assert deposit.push_status == PushStatus.NOT_PUSHED
    assert deposit.due_date == deposit.issue_date + (date(2026, 1, 31) - date(2026, 1, 1))

    figures = invoice_service.job_invoicing(db, retail_job.id)
    assert figures.invoiced_cents == figures.ceiling_cents == RETAIL_CONTRACT
    assert figures.left_cents == 0
    assert figures.depreciation_held_cents is None
    assert _balances(db, retail_job) == {InvoicePayer.HOMEOWNER: (RETAIL_CONTRACT, RETAIL_CONTRACT)}


def test_deposit_percent_defaults_to_the_setting_and_rounds_half_up(
    db: Session, finance: Principal
) -> None:
    job = make_job(db, stage=JobStage.CONTRACT_SIGNED, contract_cents=100_005)
    deposit = _raise(db, finance, job, InvoiceKind.DEPOSIT)  # the setting: 30 %
    assert deposit.total_cents == 30_002  # 30,001.5 cents, half up
    other = make_job(db, stage=JobStage.CONTRACT_SIGNED, contract_cents=100_005)
    half = _raise(db, finance, other, InvoiceKind.DEPOSIT, percent=Decimal(50))
    assert half.total_cents == 50_003


def test_progress_by_amount_and_financing_payer(
    db: Session, finance: Principal, retail_job: Job
) -> None:
    payout = _raise(
        db,
        finance,
        retail_job,
        InvoiceKind.PROGRESS,
        amount=Decimal("10000.00"),
        description="Financing payout",
        payer=InvoicePayer.FINANCING,
        payer_name="GreenSky",
        issue_date=date(2026, 11, 2),
    )
    assert (payout.total_cents, payout.payer_kind, payout.payer_name) == (
        1_000_000,
        InvoicePayer.FINANCING,
        "GreenSky",
    )
    assert (payout.issue_date, payout.due_date) == (date(2026, 11, 2), date(2026, 12, 2))
    final = _raise(db, finance, retail_job, InvoiceKind.FINAL)
    assert final.total_cents == RETAIL_CONTRACT - 1_000_000
    assert _balances(db, retail_job) == {
        InvoicePayer.HOMEOWNER: (RETAIL_CONTRACT - 1_000_000, RETAIL_CONTRACT - 1_000_000),
        InvoicePayer.FINANCING: (1_000_000, 1_000_000),
    }


def test_insurance_job_from_rcv_to_depreciation_release(
    db: Session, finance: Principal, insurance_job: Job
) -> None:
    job = insurance_job
    acv = _raise(db, finance, job, InvoiceKind.INSURANCE_ACV)
    deductible = _raise(db, finance, job, InvoiceKind.DEDUCTIBLE)
    supplement = _raise(
        db,
        finance,
        job,
        InvoiceKind.SUPPLEMENT,
        amount=Decimal("1234.56"),
        description="Rotten decking, 6 sheets",
    )
    with pytest.raises(Conflict, match=r"not completed.*\$2,500\.00"):
        _raise(db, finance, job, InvoiceKind.DEPRECIATION_RELEASE)
    job.stage = JobStage.COMPLETED
    db.flush()
    release = _raise(db, finance, job, InvoiceKind.DEPRECIATION_RELEASE)

    assert acv.total_cents == RCV - DEPRECIATION - DEDUCTIBLE == 700_000
    assert [line.amount_cents for line in acv.lines] == [RCV, -DEPRECIATION, -DEDUCTIBLE]
    assert (acv.payer_kind, acv.payer_name) == (
        InvoicePayer.INSURANCE_CARRIER,
        "Granite State Mutual",
    )
    assert (deductible.total_cents, deductible.payer_kind) == (DEDUCTIBLE, InvoicePayer.HOMEOWNER)
    assert supplement.total_cents == 123_456
    assert (release.total_cents, release.payer_kind) == (
        DEPRECIATION,
        InvoicePayer.INSURANCE_CARRIER,
    )
    assert [i.number for i in (acv, deductible, supplement, release)] == [
        "7100",
        "7100-2",
        "7100-3",
        "7100-4",
    ]

    figures = invoice_service.job_invoicing(db, job.id)
    assert figures.contract_cents == RCV  # no contract recorded: the claim's RCV
    assert figures.supplements_cents == 123_456
    assert figures.invoiced_cents == figures.ceiling_cents == RCV + 123_456
    assert figures.depreciation_held_cents == 0
    carrier = 700_000 + 123_456 + DEPRECIATION
    assert _balances(db, job) == {
        InvoicePayer.HOMEOWNER: (DEDUCTIBLE, DEDUCTIBLE),
        InvoicePayer.INSURANCE_CARRIER: (carrier, carrier),
    }
    # Everything is invoiced: a final has nothing left, more would pass the ceiling.
    with pytest.raises(Conflict, match="nothing to invoice"):
        _raise(db, finance, job, InvoiceKind.FINAL)


def test_final_on_an_insurance_job_leaves_the_claim_to_the_carrier(
    db: Session, finance: Principal, insurance_job: Job
) -> None:
    """The homeowner's upgrade beyond the RCV is the final; the claim's shares stay reserved."""
    insurance_job.contract_cents = RCV + 80_000
    db.flush()
    _raise(db, finance, insurance_job, InvoiceKind.INSURANCE_ACV)
    final = _raise(db, finance, insurance_job, InvoiceKind.FINAL)
    assert final.total_cents == 80_000
    assert [line.amount_cents for line in final.lines] == [
        RCV + 80_000,
        -700_000,
        -DEDUCTIBLE,
        -DEPRECIATION,
    ]
    assert invoice_service.job_invoicing(db, insurance_job.id).depreciation_held_cents == (
        DEPRECIATION
    )


def test_over_invoicing_is_refused_naming_the_figures(
    db: Session, finance: Principal, retail_job: Job
) -> None:
    _raise(db, finance, retail_job, InvoiceKind.DEPOSIT, percent=Decimal(30))
    with pytest.raises(Conflict) as refused:
        _raise(
            db,
            finance,
            retail_job,
            InvoiceKind.PROGRESS,
            amount=Decimal("13000.00"),
            description="Install",
        )
    assert refused.value.message == (
        "this progress invoice of $13,000.00 would bring job 5003's invoices to $18,535.00, "
        "more than its contract $18,450.00 plus approved supplements $0.00 = $18,450.00; "
        "$12,915.00 is left to invoice"
    )
    assert invoice_service.job_invoicing(db, retail_job.id).invoiced_cents == 553_500


@pytest.mark.parametrize(
    ("kind", "fields", "error", "message"),
    [
        (InvoiceKind.INSURANCE_ACV, {}, Conflict, "retail job"),
        (InvoiceKind.SUPPLEMENT, {"amount": Decimal(1), "description": "x"}, Conflict, "retail"),
        (InvoiceKind.PROGRESS, {"percent": Decimal(10)}, ValidationFailed, "milestone"),
        (InvoiceKind.PROGRESS, {"description": "Tear-off"}, ValidationFailed, "one of them"),
        (InvoiceKind.DEPOSIT, {"amount": Decimal(100)}, ValidationFailed, "percent"),
        (InvoiceKind.DEPOSIT, {"payer": InvoicePayer.INSURANCE_CARRIER}, ValidationFailed, "ACV"),
        (InvoiceKind.DEPOSIT, {"payer": InvoicePayer.FINANCING}, ValidationFailed, "financing"),
    ],
)
def test_requests_that_make_no_sense_are_refused(
    db: Session,
    finance: Principal,
    retail_job: Job,
    *,
    kind: InvoiceKind,
    fields: dict[str, Any],
    error: type[Exception],
    message: str,
) -> None:
    with pytest.raises(error, match=message):
        _raise(db, finance, retail_job, kind, **fields)
    assert invoice_service.list(db, InvoiceFilters(job_id=retail_job.id), PageRequest()).total == 0


def test_a_second_deposit_and_a_job_without_contract_are_refused(
    db: Session, finance: Principal, retail_job: Job
) -> None:
    _raise(db, finance, retail_job, InvoiceKind.DEPOSIT)
    with pytest.raises(Conflict, match="already has a deposit invoice"):
        _raise(db, finance, retail_job, InvoiceKind.DEPOSIT)
    unpriced = make_job(db, stage=JobStage.ESTIMATE)  # only the price list's estimate
    with pytest.raises(Conflict, match="no contract amount"):
        _raise(db, finance, unpriced, InvoiceKind.DEPOSIT)


def test_insurance_invoice_without_the_claim_figures_is_refused(
    db: Session, finance: Principal, insurance_job: Job
) -> None:
    insurance_job.deductible_cents = None
    db.flush()
    with pytest.raises(Conflict, match="no deductible recorded"):
        _raise(db, finance, insurance_job, InvoiceKind.INSURANCE_ACV)


def test_void_keeps_the_number_and_the_next_invoice_gets_a_new_one(
    db: Session, finance: Principal, retail_job: Job
) -> None:
    first = _raise(db, finance, retail_job, InvoiceKind.DEPOSIT)
    voided = invoice_service.void(db, finance, first.id, "wrong percentage")
    assert (voided.status, voided.void_reason, voided.outstanding_cents) == (
        InvoiceStatus.VOID,
        "wrong percentage",
        0,
    )
    assert voided.voided_at is not None
    with pytest.raises(Conflict, match="already void"):
        invoice_service.void(db, finance, first.id, "again")
    again = _raise(db, finance, retail_job, InvoiceKind.DEPOSIT, percent=Decimal(25))
    assert again.number == "5003-2"
    assert invoice_service.job_invoicing(db, retail_job.id).invoiced_cents == 461_250
    actions = [row.action for row in audit_service.history(db, "invoice", first.id)]
    assert actions == ["invoice.created", "invoice.voided"]
    assert audit_service.history(db, "invoice", first.id)[1].reason == "wrong percentage"


def test_a_number_another_job_holds_is_refused(
    db: Session, finance: Principal, retail_job: Job
) -> None:
    _raise(db, finance, retail_job, InvoiceKind.DEPOSIT)
    clash = make_job(db, number="5003-2", stage=JobStage.CONTRACT_SIGNED, contract_cents=100_000)
    _raise(db, finance, clash, InvoiceKind.DEPOSIT)  # takes the number 5003-2
    with pytest.raises(Conflict, match="5003-2 is already taken"):
        _raise(db, finance, retail_job, InvoiceKind.PROGRESS, percent=Decimal(5), description="x")


def test_list_filters_by_job_status_and_payer(
    db: Session, finance: Principal, retail_job: Job, insurance_job: Job
) -> None:
    deposit = _raise(db, finance, retail_job, InvoiceKind.DEPOSIT)
    acv = _raise(db, finance, insurance_job, InvoiceKind.INSURANCE_ACV)
    _raise(db, finance, insurance_job, InvoiceKind.DEDUCTIBLE)
    invoice_service.void(db, finance, deposit.id, "duplicate")

    def numbers(**filters: Any) -> list[str]:
        page = invoice_service.list(db, InvoiceFilters(**filters), PageRequest(sort="number"))
        return [i.number for i in page.items]

    assert numbers(job_id=insurance_job.id) == ["7100", "7100-2"]
    assert numbers(payer_kind=InvoicePayer.INSURANCE_CARRIER) == [acv.number]
    assert numbers(status=InvoiceStatus.VOID) == ["5003"]
    assert numbers(job_id=uuid.uuid4()) == []


def test_pdf_carries_the_number_payer_and_total(
    db: Session, finance: Principal, insurance_job: Job
) -> None:
    acv = _raise(db, finance, insurance_job, InvoiceKind.INSURANCE_ACV)
    invoice, document = invoice_service.pdf(db, acv.id)
    assert invoice.id == acv.id
    assert document.startswith(b"%PDF")
    assert b"Invoice 7100" in document
