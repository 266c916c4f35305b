"""JSON API: push an invoice to the books (answered at once; the push runs in the background),
or every invoice not pushed yet."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Field

from roofops.api_responses import errors
from roofops.auth.dependencies import requires
from roofops.auth.permissions import Permission
from roofops.auth.principal import Principal
from roofops.db import DB
from roofops.dependencies import AppSettings
from roofops.integrations.invoicing.push import invoice_push
from roofops.invoice.schemas import InvoiceOut
from roofops.models.invoice import PushStatus

router = APIRouter(prefix="/invoices", tags=["invoices"])
Editor = Annotated[Principal, Depends(requires(Permission.EDIT_INVOICES))]


class PushesQueued(BaseModel):
    queued: int = Field(description="invoices whose push was queued")


@router.post(
    "/push-pending",
    status_code=202,
    summary="Push every invoice not in the books yet (or whose push failed)",
    responses=errors(409),
)
def push_pending(db: DB, settings: AppSettings, _: Editor) -> PushesQueued:
    return PushesQueued(queued=invoice_push.request_all(db, settings))


@router.post(
    "/{invoice_id}/push",
    status_code=202,
    summary="Push an invoice to the accounting system, exactly once",
    description="202 with the invoice marked pending while the push runs in the background; "
    "200 when it is in the books already; 202 without a second push while one is on its way. "
    "The outcome shows on the invoice: push_status pushed, or failed with the vendor's "
    "message in push_error. 409 when no accounting system is connected.",
    responses={200: {"model": InvoiceOut}, **errors(404, 409)},
)
def push_invoice(
    db: DB, settings: AppSettings, _: Editor, invoice_id: uuid.UUID, response: Response
) -> InvoiceOut:
    invoice, queued = invoice_push.request(db, settings, invoice_id)
    if not queued and invoice.push_status == PushStatus.PUSHED:
        response.status_code = 200
    return InvoiceOut.model_validate(invoice)
