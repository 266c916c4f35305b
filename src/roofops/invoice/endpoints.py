"""JSON API for invoices: generate (or preview) from a job, list and total, get, void, the PDF
and a job's balances."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from roofops.api_paging import page_out, sorted_paging
from roofops.api_responses import errors
from roofops.auth.dependencies import requires
from roofops.auth.permissions import Permission
from roofops.auth.principal import Principal
from roofops.db import DB
from roofops.invoice.amounts import Figured
from roofops.invoice.delivery import invoice_delivery
from roofops.invoice.schemas import (
    FiguredLineOut,
    InvoiceDeliveryOut,
    InvoiceGenerate,
    InvoiceOut,
    InvoicePreviewOut,
    InvoiceSend,
    InvoiceSendQueued,
    InvoiceTotalsOut,
    InvoiceVoid,
    JobInvoicingOut,
    PayerBalanceOut,
)
from roofops.invoice.service import INVOICE_SORTS, InvoiceFilters, JobInvoicing, invoice_service
from roofops.kit.money import from_cents
from roofops.kit.paging import PageOut, PageRequest
from roofops.kit.schemas import IsoDate
from roofops.models.invoice import InvoiceKind, InvoicePayer, InvoiceStatus

router = APIRouter(prefix="/invoices", tags=["invoices"])
Reader = Annotated[Principal, Depends(requires(Permission.VIEW_INVOICES))]
Editor = Annotated[Principal, Depends(requires(Permission.EDIT_INVOICES))]
InvoicePaging = Annotated[PageRequest, Depends(sorted_paging(INVOICE_SORTS))]


def invoice_filters(
    *,
    job_id: uuid.UUID | None = None,
    status: Annotated[
        InvoiceStatus | None,
        Query(
            description="overdue includes sent invoices past their due date that the daily "
            "sweep has not recorded as overdue yet (their status field still says so)"
        ),
    ] = None,
    payer_kind: InvoicePayer | None = None,
    kind: InvoiceKind | None = None,
    q: Annotated[
        str | None, Query(max_length=100, description="invoice or job number, or payer name")
    ] = None,
    issued_from: Annotated[IsoDate | None, Query(description="issued on or after")] = None,
    issued_to: Annotated[IsoDate | None, Query(description="issued on or before")] = None,
) -> InvoiceFilters:
    return InvoiceFilters(
        job_id=job_id,
        status=status,
        payer_kind=payer_kind,
        kind=kind,
        q=(q or "").strip() or None,
        issued_from=issued_from,
        issued_to=issued_to,
    )


@router.get(
    "",
    summary="List invoices",
    description=f"Sortable by: {', '.join(INVOICE_SORTS)} (default -created_at).",
)
def list_invoices(
    db: DB,
    _: Reader,
    paging: InvoicePaging,
    filters: Annotated[InvoiceFilters, Depends(invoice_filters)],
) -> PageOut[InvoiceOut]:
    return page_out(invoice_service.list(db, filters, paging), InvoiceOut)


@router.post(
    "",
    status_code=201,
    summary="Raise an invoice from a job",
    description="One kind per call; the amount is figured from the job (docs/finance.md). "
    "409 naming the figures when it makes no sense: more than the contract plus approved "
    "supplements, depreciation before completion, a second deposit.",
    responses=errors(404, 409),
)
def generate_invoice(db: DB, principal: Editor, body: InvoiceGenerate) -> InvoiceOut:
    return InvoiceOut.model_validate(invoice_service.generate(db, principal, body))


@router.post(
    "/preview",
    summary="Figure an invoice without raising it",
    description="The lines and total POST /invoices would write for the same body, refused the "
    "same way (404, 409, 422); nothing is written. The job page's New invoice shows it.",
    responses=errors(404, 409),
)
def preview_invoice(db: DB, _: Editor, body: InvoiceGenerate) -> InvoicePreviewOut:
    return _preview_out(invoice_service.preview(db, body))


@router.get(
    "/totals",
    summary="Invoiced, paid and outstanding over every invoice the filters match",
    description="The Invoices page's totals; the same filters as the list.",
)
def invoice_totals(
    db: DB, _: Reader, filters: Annotated[InvoiceFilters, Depends(invoice_filters)]
) -> InvoiceTotalsOut:
    totals = invoice_service.totals(db, filters)
    return InvoiceTotalsOut(
        invoices=totals.invoices,
        invoiced=from_cents(totals.invoiced_cents),
        paid=from_cents(totals.paid_cents),
        outstanding=from_cents(totals.outstanding_cents),
    )


@router.get(
    "/balances",
    summary="A job's invoicing against its contract, and each payer's balance",
    responses=errors(404),
)
def job_balances(db: DB, _: Reader, job_id: uuid.UUID) -> JobInvoicingOut:
    return _invoicing_out(invoice_service.job_invoicing(db, job_id))


@router.get(
    "/{invoice_id}.pdf",
    summary="The invoice as a PDF",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, **errors(404)},
)
def invoice_pdf(db: DB, _: Reader, invoice_id: uuid.UUID) -> Response:
    invoice, document = invoice_service.pdf(db, invoice_id)
    return Response(
        document,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="invoice-{invoice.number}.pdf"'},
    )


@router.get("/{invoice_id}", summary="An invoice with its lines", responses=errors(404))
def get_invoice(db: DB, _: Reader, invoice_id: uuid.UUID) -> InvoiceOut:
    return InvoiceOut.model_validate(invoice_service.get(db, invoice_id))


@router.post(
    "/{invoice_id}/void",
    summary="Void an invoice (kept, with the reason; never deleted)",
    responses=errors(404, 409),
)
def void_invoice(db: DB, principal: Editor, invoice_id: uuid.UUID, body: InvoiceVoid) -> InvoiceOut:
    return InvoiceOut.model_validate(invoice_service.void(db, principal, invoice_id, body.reason))


@router.post(
    "/{invoice_id}/send",
    status_code=202,
    summary="E-mail the invoice (PDF attached) to its payer, in the background",
    description="The homeowner's invoice goes to the customer's e-mail unless `to` is given; a "
    "carrier or financing invoice needs `to`. 409 when the invoice is void, no address is known "
    "or mail is not configured. The outcome (sent_at and the status, or the failure and why) "
    "shows in GET /invoices/{id}/deliveries.",
    responses=errors(404, 409),
)
def send_invoice(
    db: DB, principal: Editor, invoice_id: uuid.UUID, body: InvoiceSend
) -> InvoiceSendQueued:
    queued = invoice_delivery.request_send(db, principal, invoice_id, body.to, body.message)
    return InvoiceSendQueued(invoice_id=invoice_id, number=queued.invoice.number, to=queued.to)


@router.get(
    "/{invoice_id}/deliveries",
    summary="The invoice's e-mails: sends, reminders and failures, oldest first",
    responses=errors(404),
)
def invoice_deliveries(db: DB, _: Reader, invoice_id: uuid.UUID) -> list[InvoiceDeliveryOut]:
    return [
        InvoiceDeliveryOut(
            at=row.occurred_at,
            event=row.action.removeprefix("invoice."),
            to=str(row.changes.get("to", {}).get("new") or ""),
            error=row.reason,
            by=row.actor_label,
        )
        for row in invoice_delivery.history(db, invoice_id)
    ]


def _preview_out(figured: Figured) -> InvoicePreviewOut:
    return InvoicePreviewOut(
        lines=[
            FiguredLineOut(
                description=line.description,
                quantity=line.quantity,
                unit_price=from_cents(line.unit_price_cents),
                amount=from_cents(line.amount_cents),
            )
            for line in figured.lines
        ],
        total=from_cents(figured.total_cents),
    )


def _invoicing_out(figures: JobInvoicing) -> JobInvoicingOut:
    def money(cents: int | None) -> object:
        return None if cents is None else from_cents(cents)

    return JobInvoicingOut.model_validate(
        {
            "job_id": figures.job_id,
            "contract": money(figures.contract_cents),
            "approved_supplements": money(figures.supplements_cents),
            "ceiling": money(figures.ceiling_cents),
            "invoiced": money(figures.invoiced_cents),
            "left_to_invoice": money(figures.left_cents),
            "depreciation_held": money(figures.depreciation_held_cents),
            "payers": [
                PayerBalanceOut(
                    payer_kind=p.payer_kind,
                    invoices=p.invoices,
                    invoiced=from_cents(p.invoiced_cents),
                    paid=from_cents(p.paid_cents),
                    outstanding=from_cents(p.outstanding_cents),
                )
                for p in figures.payers
            ],
        }
    )
