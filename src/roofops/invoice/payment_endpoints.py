"""A job's payments as the books applied them, per invoice and payer (read-only: payments are
entered in the accounting system and flow back with each books sync)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends

from roofops.api_responses import errors
from roofops.auth.dependencies import requires
from roofops.auth.permissions import Permission
from roofops.auth.principal import Principal
from roofops.db import DB
from roofops.invoice.payments import invoice_payments_service
from roofops.invoice.schemas import JobPaymentOut

router = APIRouter(prefix="/jobs", tags=["invoices"])
Reader = Annotated[Principal, Depends(requires(Permission.VIEW_INVOICES))]


@router.get(
    "/{job_id}/payments",
    summary="A job's payments, split over its invoices as the books split them",
    description="Each part of a payment the accounting system applied to one of the job's "
    "invoices, oldest first: a payment over two invoices is two entries with one payment_id. "
    "Read from the books by each sync (docs/finance.md, 'Payments back from the books').",
    responses=errors(404),
)
def job_payments(db: DB, _: Reader, job_id: uuid.UUID) -> list[JobPaymentOut]:
    return [
        JobPaymentOut.model_validate(payment)
        for payment in invoice_payments_service.job_payments(db, job_id)
    ]
