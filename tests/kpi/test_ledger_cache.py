"""The ledger is kept while the data stays the same, and rebuilt on the next view after any
change to the rows the KPIs read: a page never shows figures older than the rows beside it."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from roofops.kpi.results import Grain, KpiValue
from roofops.kpi.service import kpi_service
from roofops.models import JobStage, Role
from roofops.models.invoice import Invoice, InvoiceKind, InvoicePayer, InvoiceStatus
from tests.factories import make_job

AS_OF = date(2026, 6, 30)


def _revenue(db: Session) -> KpiValue:
    june = kpi_service.period_containing(AS_OF, Grain.MONTH)
    view = kpi_service.view(db, Role.ADMIN, june, AS_OF)
    return next(value for value in view.values if value.key == "revenue")


def _invoice(db: Session, job_id: object, sequence: int, cents: int) -> Invoice:
    invoice = Invoice(
        job_id=job_id,
        sequence=sequence,
        number=f"KPI-{sequence}",
        kind=InvoiceKind.PROGRESS,
        payer_kind=InvoicePayer.HOMEOWNER,
        payer_name="Pat Doe",
        issue_date=date(2026, 6, 10),
        due_date=date(2026, 7, 10),
        status=InvoiceStatus.SENT,
        total_cents=cents,
    )
    db.add(invoice)
    db.flush()
    return invoice


def test_a_new_invoice_and_an_edit_show_on_the_next_view(db: Session) -> None:
    job = make_job(db, stage=JobStage.IN_PRODUCTION)
    _invoice(db, job.id, 1, 100_000)
    assert _revenue(db).value == 100_000
    assert _revenue(db).value == 100_000  # kept

    second = _invoice(db, job.id, 2, 50_000)
    assert _revenue(db).value == 150_000

    second.status = InvoiceStatus.VOID
    db.flush()
    assert _revenue(db).value == 100_000
    assert _revenue(db).source_shares == {"roofops": 1.0}
