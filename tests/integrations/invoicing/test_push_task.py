"""What a worker runs: the push task as the composition root registers it, through the task
runner with its own sessions, recording the outcome on the invoice (never left pending)."""

from __future__ import annotations

import sqlalchemy as sa

from roofops.auth.principal import Principal
from roofops.composition import register_background_work
from roofops.db import session_scope
from roofops.demo.repository import DemoRepository
from roofops.integrations.invoicing.push import NO_BOOKS, PUSH_TASK
from roofops.invoice.schemas import InvoiceGenerate
from roofops.invoice.service import invoice_service
from roofops.models import AuditLog, Invoice, InvoiceKind, JobStage
from roofops.models.invoice import PushStatus
from roofops.worker.registry import run_task
from tests.factories import make_job


def test_the_registered_push_task_records_its_outcome(
    database_url: str, finance: Principal
) -> None:
    assert PUSH_TASK in {spec.name for spec in register_background_work()}
    with session_scope(database_url) as db:
        job = make_job(db, number="5090", stage=JobStage.CONTRACT_SIGNED, contract_cents=900_000)
        data = InvoiceGenerate(job_id=job.id, kind=InvoiceKind.DEPOSIT)
        invoice_id = invoice_service.generate(db, finance, data).id
    try:
        run_task(PUSH_TASK, {"invoice_id": str(invoice_id)}, database_url=database_url)
        with session_scope(database_url) as db:
            invoice = db.get(Invoice, invoice_id)
            assert invoice is not None
            assert (invoice.push_status, invoice.push_error) == (PushStatus.FAILED, NO_BOOKS)
            assert invoice.push_attempts == 1
    finally:
        with session_scope(database_url) as db:
            db.execute(
                sa.delete(AuditLog).where(
                    AuditLog.entity_type == "invoice", AuditLog.entity_id == str(invoice_id)
                )
            )
            DemoRepository(db).wipe_business_data()
