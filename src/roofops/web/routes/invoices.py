"""Invoice pages: the list (filters swap the table through htmx, totals of what matches, CSV),
an invoice's page with its history and its Push to books, Send and Void forms, and raising one
from a job's page. Every action calls the service the JSON API calls (roofops.invoice.endpoints,
roofops.integrations.invoicing.endpoints)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from roofops.auth.dependencies import requires
from roofops.auth.permissions import Permission
from roofops.db import DB, attempt
from roofops.dependencies import AppSettings
from roofops.exceptions import Conflict, ValidationFailed
from roofops.integrations.invoicing.push import invoice_push
from roofops.invoice.delivery import invoice_delivery
from roofops.invoice.service import company_today, invoice_service
from roofops.models.invoice import Invoice, InvoiceKind, InvoicePayer, InvoiceStatus
from roofops.web.context import PageContext
from roofops.web.dependencies import Page
from roofops.web.invoice_actions import SendForm, SendPanel, push_panel, send_panel
from roofops.web.invoice_query import InvoiceListQuery
from roofops.web.invoice_view import (
    RaiseForm,
    RaiseState,
    VoidForm,
    void_reason,
)
from roofops.web.rendering import is_fragment_request, render
from roofops.web.routes.jobs import job_page_context

# Every route here shows invoices; the ones that change them also need edit_invoices.
router = APIRouter(dependencies=[Depends(requires(Permission.VIEW_INVOICES))])
EDITORS = [Depends(requires(Permission.EDIT_INVOICES))]
Refusal = Conflict | ValidationFailed


@router.get("/invoices")
def invoices_list(request: Request, db: DB, _page: Page) -> Response:
    query = InvoiceListQuery.from_params(request.query_params)
    context = _results(db, query)
    if is_fragment_request(request):
        return render(request, "invoices/_results.html", context)
    queued = request.query_params.get("queued", "")
    return render(request, "invoices/list.html", _list_context(context, queued=queued))


def _list_context(context: dict[str, Any], **push_all: str) -> dict[str, Any]:
    return context | {
        "statuses": list(InvoiceStatus),
        "payers": list(InvoicePayer),
        "kinds": list(InvoiceKind),
        "push_all": {"queued": "", "error": ""} | push_all,
    }


@router.post("/invoices/push-pending", dependencies=EDITORS)
def push_all_pending(request: Request, db: DB, _page: Page, settings: AppSettings) -> Response:
    """Queue a push of every invoice not in the books yet (the API's push-pending service)."""
    try:
        with attempt(db):
            queued = invoice_push.request_all(db, settings)
    except Conflict as refused:
        context = _results(db, InvoiceListQuery.from_params(request.query_params))
        context = _list_context(context, error=refused.message)
        return render(request, "invoices/list.html", context, status_code=refused.status_code)
    return RedirectResponse(f"/invoices?queued={queued}", status_code=303)


def _results(db: Session, query: InvoiceListQuery) -> dict[str, Any]:
    filters = query.filters()
    return {
        "query": query,
        "results": invoice_service.list(db, filters, query.page_request()),
        "totals": invoice_service.totals(db, filters),
        "today": company_today(db),
    }


@router.get("/invoices/export.csv")
def export_csv(request: Request, db: DB, _page: Page) -> Response:
    """Every matching invoice (all pages), for a spreadsheet."""
    query = InvoiceListQuery.from_params(request.query_params)
    return Response(
        invoice_service.csv(db, query.filters(), query.sort),
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="invoices.csv"'},
    )


@router.get("/invoices/{invoice_id}")
def invoice_page(
    request: Request, db: DB, _page: Page, invoice_id: uuid.UUID, settings: AppSettings
) -> Response:
    return render(request, "invoices/detail.html", _invoice_context(db, settings, invoice_id))


def _invoice_context(
    db: Session,
    settings: AppSettings,
    invoice_id: uuid.UUID,
    *,
    push_error: str = "",
    send: SendPanel | None = None,
    **void: Any,
) -> dict[str, Any]:
    context = _push_context(db, settings, invoice_id, push_error)
    return context | {
        "history": invoice_service.history(db, invoice_id),
        "send": send or send_panel(db, context["invoice"]),
        "void": {"reason": "", "error": "", "done": False} | void,
    }


def _push_context(
    db: Session, settings: AppSettings, invoice_id: uuid.UUID, push_error: str = ""
) -> dict[str, Any]:
    """What the Push to books panel shows (all a pending push's poll reads every 2 s: not the
    history nor the deliveries, which come from the audit log)."""
    invoice = invoice_service.get(db, invoice_id)
    return {
        "invoice": invoice,
        "today": company_today(db),
        "push": push_panel(db, settings, invoice, push_error),
    }


@router.post("/invoices/{invoice_id}/void", dependencies=EDITORS)
def void_invoice(
    request: Request,
    db: DB,
    page: Page,
    invoice_id: uuid.UUID,
    *,
    settings: AppSettings,
    form: Annotated[VoidForm, Form()],
) -> Response:
    try:
        with attempt(db):
            invoice_service.void(db, page.principal, invoice_id, void_reason(form))
    except (Conflict, ValidationFailed) as refused:
        context = _invoice_context(
            db, settings, invoice_id, reason=form.reason, error=refused.message
        )
        return _invoice_view(request, context, status_code=refused.status_code)
    if not is_fragment_request(request):
        return RedirectResponse(f"/invoices/{invoice_id}", status_code=303)
    return _invoice_view(request, _invoice_context(db, settings, invoice_id, done=True))


def _invoice_view(request: Request, context: dict[str, Any], status_code: int = 200) -> Response:
    name = "invoices/_view.html" if is_fragment_request(request) else "invoices/detail.html"
    return render(request, name, context, status_code=status_code)


@router.get("/invoices/{invoice_id}/push", dependencies=EDITORS)  # only they see the panel
def push_state(
    request: Request, db: DB, _page: Page, invoice_id: uuid.UUID, settings: AppSettings
) -> Response:
    """The Push to books panel alone: what a pending push polls until it is settled (then the
    invoice's facts and status badge are swapped along, out of band)."""
    context = _push_context(db, settings, invoice_id) | {"settled": True}
    return render(request, "invoices/_push_form.html", context)


@router.post("/invoices/{invoice_id}/push", dependencies=EDITORS)
def push_invoice(
    request: Request, db: DB, _page: Page, invoice_id: uuid.UUID, settings: AppSettings
) -> Response:
    """Mark it pending and queue the push (the API's service); the panel then polls."""
    try:
        with attempt(db):
            invoice_push.request(db, settings, invoice_id)
    except (Conflict, ValidationFailed) as refused:
        context = _invoice_context(db, settings, invoice_id, push_error=refused.message)
        return _panel_view(request, "_push_form.html", context, refused.status_code)
    # Success: htmx swaps the panel, a plain form is redirected; neither needs the whole page.
    return _panel_view(request, "_push_form.html", _push_context(db, settings, invoice_id))


@router.post("/invoices/{invoice_id}/send", dependencies=EDITORS)
def send_invoice(
    request: Request,
    db: DB,
    page: Page,
    invoice_id: uuid.UUID,
    *,
    settings: AppSettings,
    form: Annotated[SendForm, Form()],
) -> Response:
    """Queue the e-mail (the delivery service the API calls); a refusal keeps what was typed."""
    try:
        with attempt(db):
            body = form.checked()
            queued = invoice_delivery.request_send(
                db, page.principal, invoice_id, body.to, body.message
            )
    except (Conflict, ValidationFailed) as refused:
        panel = send_panel(db, invoice_service.get(db, invoice_id), form, error=refused.message)
        context = _invoice_context(db, settings, invoice_id, send=panel)
        return _panel_view(request, "_send_form.html", context, refused.status_code)
    panel = send_panel(db, queued.invoice, queued_to=queued.to)
    context = _invoice_context(db, settings, invoice_id, send=panel)
    return _panel_view(request, "_send_form.html", context)


def _panel_view(
    request: Request, partial: str, context: dict[str, Any], status_code: int = 200
) -> Response:
    """htmx swaps the panel; a form posted without script gets the page back (after a success
    through a redirect, so a reload does not post again)."""
    if is_fragment_request(request):
        return render(request, f"invoices/{partial}", context, status_code=status_code)
    if status_code == 200:
        invoice_id = context["invoice"].id
        return RedirectResponse(f"/invoices/{invoice_id}", status_code=303)
    return render(request, "invoices/detail.html", context, status_code=status_code)


@router.post("/jobs/{job_id}/invoices", dependencies=EDITORS)
def raise_invoice(
    request: Request,
    db: DB,
    page: Page,
    job_id: uuid.UUID,
    *,
    settings: AppSettings,
    form: Annotated[RaiseForm, Form()],
) -> Response:
    """Preview (figure the amount, write nothing) or raise; a refusal is shown beside the
    form with everything typed kept."""
    try:
        with attempt(db):
            outcome = _preview_or_raise(db, page, job_id, form)
    except (Conflict, ValidationFailed) as refused:
        said = {"hint" if form.previewing else "error": refused.message}
        raising = RaiseState.of(form, invoice_service.offers(db, job_id), **said)
        status = 200 if form.previewing else refused.status_code
        return _job_invoices(
            request, db, page, job_id, settings=settings, raising=raising, status_code=status
        )
    if isinstance(outcome, Invoice) and not is_fragment_request(request):
        return RedirectResponse(f"/invoices/{outcome.id}", status_code=303)
    raising = _after(db, job_id, form, outcome)
    return _job_invoices(
        request, db, page, job_id, settings=settings, raising=raising, status_code=200
    )


def _preview_or_raise(
    db: Session, page: PageContext, job_id: uuid.UUID, form: RaiseForm
) -> Invoice | RaiseState | None:
    """The new invoice; or, on a preview, the form with the figured lines (None while the
    kind is not chosen yet: there is nothing to figure)."""
    if form.previewing and form.chosen is None:
        return None
    data = form.generate(job_id)
    if form.previewing:
        return RaiseState.of(form, [], preview=invoice_service.preview(db, data))
    return invoice_service.generate(db, page.principal, data)


def _after(
    db: Session, job_id: uuid.UUID, form: RaiseForm, outcome: Invoice | RaiseState | None
) -> RaiseState:
    offers = invoice_service.offers(db, job_id)  # read after: a raised kind may be used up
    if isinstance(outcome, Invoice):
        return RaiseState.of(RaiseForm(), offers, raised=outcome)
    preview = outcome.preview if outcome is not None else None
    return RaiseState.of(form, offers, preview=preview)


def _job_invoices(
    request: Request,
    db: Session,
    page: PageContext,
    job_id: uuid.UUID,
    *,
    settings: AppSettings,
    raising: RaiseState,
    status_code: int,
) -> Response:
    """The Invoices section for htmx (with the Payments section after a raise: its invoiced per
    payer changed); the whole job page for a form posted without script."""
    context = job_page_context(db, settings, page, job_id, raising)
    name = "jobs/_invoices_swap.html" if is_fragment_request(request) else "jobs/detail.html"
    return render(request, name, context, status_code=status_code)
