"""The spec's insurance claim raised through the invoice service (no books connected): the
reports agree to the cent with the job's own invoicing figures at each step, and once every
invoice is paid the job owes nothing in any report."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from roofops.auth.principal import Principal
from roofops.invoice.schemas import InvoiceGenerate
from roofops.invoice.service import invoice_service
from roofops.invoice.status import refresh_status
from roofops.kit.time import utcnow
from roofops.models import Job, JobStage
from roofops.models.invoice import Invoice, InvoiceKind
from roofops.report.periods import Comparison, period
from roofops.report.service import finance_reports
from tests.invoice.conftest import DEPRECIATION, RCV

ISSUED = date(2026, 5, 4)
AS_OF = date(2026, 6, 30)
SUPPLEMENT = 123_456


def _raise(
    db: Session, finance: Principal, job: Job, kind: InvoiceKind, **extra: object
) -> Invoice:
    body = InvoiceGenerate.model_validate(
        {"job_id": job.id, "kind": kind, "issue_date": ISSUED, **extra}
    )
    invoice = invoice_service.generate(db, finance, body)
    invoice.sent_at = utcnow()  # out to the payer: issued
    refresh_status(invoice, AS_OF)
    return invoice


def _aging_open(db: Session) -> dict[str, int]:
    return {
        str(row["payer"]): int(row["open"] or 0) for row in finance_reports.ar_aging(db, AS_OF).rows
    }


def test_the_claim_from_acv_to_release_paid(
    db: Session, finance: Principal, insurance_job: Job
) -> None:
    job = insurance_job
    invoices = [
        _raise(db, finance, job, InvoiceKind.INSURANCE_ACV),
        _raise(db, finance, job, InvoiceKind.DEDUCTIBLE),
        _raise(
            db, finance, job, InvoiceKind.SUPPLEMENT,
            amount=Decimal("1234.56"), description="Rotten decking",
        ),
    ]  # fmt: skip
    held = finance_reports.depreciation(db).rows[0]
    assert (held["status"], held["held"]) == ("held", DEPRECIATION)
    assert held["held"] == invoice_service.job_invoicing(db, job.id).depreciation_held_cents

    job.stage = JobStage.COMPLETED
    db.flush()
    invoices.append(_raise(db, finance, job, InvoiceKind.DEPRECIATION_RELEASE))

    figures = invoice_service.job_invoicing(db, job.id)
    revenue = finance_reports.revenue(db, period("2026-05", "2026-05", AS_OF), Comparison.NONE)
    assert revenue.rows[0]["invoiced"] == figures.invoiced_cents == RCV + SUPPLEMENT
    assert revenue.rows[0]["invoiced_roofops"] == figures.invoiced_cents
    owed = {payer.payer_kind.value: payer.outstanding_cents for payer in figures.payers}
    assert _aging_open(db) == {
        "Homeowner": owed["homeowner"],
        "Insurance carrier": owed["insurance_carrier"],
    }
    released = finance_reports.depreciation(db).rows[0]
    assert (released["status"], released["released_unpaid"]) == ("released, unpaid", DEPRECIATION)

    for invoice in invoices:
        invoice.paid_cents = invoice.total_cents
        refresh_status(invoice, AS_OF)
    db.flush()

    assert all(
        payer.outstanding_cents == 0 for payer in invoice_service.job_invoicing(db, job.id).payers
    )
    assert _aging_open(db) == {}
    assert finance_reports.depreciation(db).rows == []
    assert finance_reports.revenue(
        db, period("2026-05", "2026-05", AS_OF), Comparison.NONE
    ).rows[0]["invoiced"] == RCV + SUPPLEMENT  # fmt: skip
