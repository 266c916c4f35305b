"""The Profit dashboard: every job's contract, costs and margin with where each figure came
from, syncing from QuickBooks with live progress, and figures set by hand (with a reason)."""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from roofops.auth.dependencies import requires
from roofops.auth.permissions import Permission
from roofops.config import Settings
from roofops.crew.service import branch_service, crew_service
from roofops.db import DB, attempt
from roofops.dependencies import AppSettings
from roofops.exceptions import RoofOpsError, ValidationFailed
from roofops.financials.books import books_service
from roofops.financials.reports import profit_reports
from roofops.financials.schemas import FigureName
from roofops.financials.service import financials_service
from roofops.integrations.accounting import company_accounting, company_accounting_state
from roofops.integrations.core.accounting import AccountingProvider, request_books_sync
from roofops.job.service import job_service
from roofops.models.enums import JobType
from roofops.web.context import PageContext
from roofops.web.dependencies import Page
from roofops.web.profit_query import ProfitQuery
from roofops.web.profit_view import (
    ClearForm,
    FigureForm,
    SyncForm,
    chart_data,
    clear_reason,
    manual_amount,
    money_context,
    profit_rows,
)
from roofops.web.rendering import is_fragment_request, render
from roofops.web.routes.auth import safe_next

# Every route here shows or changes money: the whole router is closed to other roles.
router = APIRouter(prefix="/profit", dependencies=[Depends(requires(Permission.VIEW_MONEY))])
SYNCERS = [Depends(requires(Permission.RUN_SYNC))]
FIGURE_EDITORS = [Depends(requires(Permission.EDIT_FIGURES))]
FIGURE_SAVED = "figure-saved"  # htmx event: the dialog closes, tables and panels refetch


def _results(
    db: Session, settings: Settings, page: PageContext, query: ProfitQuery
) -> dict[str, Any]:
    filters = query.filters(page.time_zone)
    results, summary = profit_reports.page_with_summary(db, filters, query.page_request())
    return {
        "query": query,
        "results": results,
        "rows": profit_rows(results.items),
        "summary": summary,
        "charts": chart_data(summary),
        "sync": company_accounting_state(db, settings),
        # Costs no job carries, dated in the same window as the jobs shown.
        "company": books_service.company_costs(
            db, since=query.created_from, until=query.created_to
        ),
    }


@router.get("")
def profit_page(request: Request, db: DB, settings: AppSettings, page: Page) -> Response:
    query = ProfitQuery.from_params(request.query_params)
    context = _results(db, settings, page, query)
    if is_fragment_request(request):
        return render(request, "profit/_results.html", context | {"oob": True})
    context |= {
        "job_types": list(JobType),
        "branches": branch_service.list(db),
        "crews": crew_service.pickable(db),
        "sales_reps": job_service.sales_reps(db),
    }
    return render(request, "profit/index.html", context)


@router.get("/export.csv")
def export_csv(request: Request, db: DB, page: Page) -> Response:
    """Every filtered job (all pages), with each figure and its source, for a spreadsheet."""
    filters = ProfitQuery.from_params(request.query_params).filters(page.time_zone)
    return Response(
        profit_reports.csv(db, filters),
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="profitability.csv"'},
    )


# ----- syncing from QuickBooks --------------------------------------------------------------


@router.post("/sync", dependencies=SYNCERS)
def sync_all(
    request: Request, db: DB, settings: AppSettings, page: Page, form: Annotated[SyncForm, Form()]
) -> Response:
    accounting, _ = company_accounting(db, settings)
    label = accounting.label
    notice = f"Full resync from {label} queued." if form.full else f"Sync from {label} queued."
    return _queue(
        request, db, settings, page, accounting, notice=notice, next_url=form.next, full=form.full
    )


def _queue(
    request: Request,
    db: Session,
    settings: Settings,
    page: PageContext,
    accounting: AccountingProvider,
    *,
    notice: str,
    next_url: str,
    full: bool = False,
) -> Response:
    """Start a run the page can follow; a refusal (not connected, one running) shows inline."""
    try:
        run = request_books_sync(db, settings, accounting, full=full, by=page.principal.label)
    except RoofOpsError as exc:
        if not is_fragment_request(request):
            raise
        context = {"error": exc.message}
        return render(request, "profit/_sync_notice.html", context, status_code=exc.status_code)
    if not is_fragment_request(request):
        return RedirectResponse(safe_next(next_url or "/profit"), status_code=303)
    context = {"notice": notice, "run_id": str(run.id)}
    return render(request, "profit/_sync_notice.html", context, status_code=202)


# ----- figures set by hand ------------------------------------------------------------------
def _figure_form(
    request: Request,
    db: Session,
    job_id: uuid.UUID,
    figure: str,
    next_url: str,
    *,
    error: ValidationFailed | None = None,
    failed: str = "",
    entered: dict[str, str] | None = None,
) -> Response:
    """The dialog's content (htmx), or a page of its own when scripts are off."""
    report = financials_service.profitability(db, job_id)
    context = {
        "report": report,
        "figure": figure,
        "current": report.figures[figure],
        "next_url": safe_next(next_url or f"/jobs/{job_id}"),
        "error": error.message if error else "",
        "failed": failed,
        "entered": entered or {},
    }
    name = "profit/_figure_form.html" if is_fragment_request(request) else "profit/figure.html"
    return render(request, name, context, status_code=error.status_code if error else 200)


def _saved(
    request: Request, job_id: uuid.UUID, figure: str, message: str, next_url: str
) -> Response:
    if not is_fragment_request(request):
        return RedirectResponse(safe_next(next_url or f"/jobs/{job_id}"), status_code=303)
    trigger = json.dumps({FIGURE_SAVED: {"job_id": str(job_id), "figure": figure}})
    headers = {"HX-Trigger": trigger}
    return render(request, "profit/_figure_saved.html", {"message": message}, headers=headers)


@router.get("/jobs/{job_id}/figures/{figure}", dependencies=FIGURE_EDITORS)
def figure_form(
    request: Request, db: DB, _page: Page, job_id: uuid.UUID, figure: FigureName, next: str = ""
) -> Response:
    return _figure_form(request, db, job_id, figure, next)


@router.post("/jobs/{job_id}/figures/{figure}", dependencies=FIGURE_EDITORS)
def set_figure(
    request: Request,
    db: DB,
    page: Page,
    *,
    job_id: uuid.UUID,
    figure: FigureName,
    form: Annotated[FigureForm, Form()],
) -> Response:
    try:
        with attempt(db):
            cents, reason = manual_amount(form)
            financials_service.set_manual(
                db, page.principal, job_id, figure=figure, cents=cents, reason=reason
            )
    except ValidationFailed as exc:
        entered = {"amount": form.amount, "reason": form.reason}
        return _figure_form(
            request, db, job_id, figure, form.next, error=exc, failed="set", entered=entered
        )
    message = f"{figure.capitalize()} set by hand to {page.money(cents)}."
    return _saved(request, job_id, figure, message, form.next)


@router.post("/jobs/{job_id}/figures/{figure}/clear", dependencies=FIGURE_EDITORS)
def clear_figure(
    request: Request,
    db: DB,
    page: Page,
    *,
    job_id: uuid.UUID,
    figure: FigureName,
    form: Annotated[ClearForm, Form()],
) -> Response:
    try:
        with attempt(db):
            reason = clear_reason(form)
            financials_service.clear_manual(
                db, page.principal, job_id, figure=figure, reason=reason
            )
    except ValidationFailed as exc:
        entered = {"clear_reason": form.reason}
        return _figure_form(
            request, db, job_id, figure, form.next, error=exc, failed="clear", entered=entered
        )
    message = f"{figure.capitalize()} is no longer set by hand."
    return _saved(request, job_id, figure, message, form.next)


@router.get("/jobs/{job_id}/figures")
def figures_row(
    request: Request, db: DB, _page: Page, job_id: uuid.UUID, next: str = ""
) -> Response:
    """A job's figures in the Profit table, fetched when its row is first opened (htmx): the
    table itself stays light, and the figures are as fresh as the click."""
    if not is_fragment_request(request):
        return RedirectResponse(f"/jobs/{job_id}", status_code=303)
    context = {
        "money": financials_service.profitability(db, job_id),
        "return_to": safe_next(next or "/profit"),
    }
    return render(request, "profit/_figures_row.html", context)


# ----- a job's money panel ------------------------------------------------------------------
@router.get("/jobs/{job_id}/money")
def money_panel(
    request: Request, db: DB, settings: AppSettings, page: Page, job_id: uuid.UUID
) -> Response:
    """The job page's panel refetched after a sync or a manual figure (htmx)."""
    if not is_fragment_request(request):
        return RedirectResponse(f"/jobs/{job_id}", status_code=303)
    context = money_context(db, settings, page, job_id) | {
        "job": job_service.get(db, job_id),
        "oob": True,
    }
    return render(request, "profit/_money_body.html", context)
