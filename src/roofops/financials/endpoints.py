"""JSON API: job profitability, manual figures and cost categories (syncing the books is the
accounting integration's: /integrations/quickbooks/sync)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from roofops.api_paging import Paging
from roofops.api_responses import errors
from roofops.auth.dependencies import requires
from roofops.auth.permissions import Permission
from roofops.auth.principal import Principal
from roofops.db import DB
from roofops.financials.queries import ProfitFilters
from roofops.financials.reports import profit_reports
from roofops.financials.schemas import (
    ClearFigureIn,
    CostMappingIn,
    CostMappingOut,
    FigureName,
    JobProfitabilityOut,
    ManualFigureIn,
    ProfitRowOut,
    SummaryOut,
    dollars,
)
from roofops.financials.service import financials_service
from roofops.kit.money import to_cents
from roofops.kit.paging import PageOut
from roofops.kit.schemas import IsoDate
from roofops.models.enums import JobType, MarginKind, Provider

router = APIRouter(prefix="/accounting", tags=["accounting"])
MoneyReader = Annotated[Principal, Depends(requires(Permission.VIEW_MONEY))]
FigureEditor = Annotated[Principal, Depends(requires(Permission.EDIT_FIGURES))]


def profit_filters(
    *,
    branch_id: uuid.UUID | None = None,
    crew_id: uuid.UUID | None = None,
    job_type: JobType | None = None,
    sales_rep: Annotated[str | None, Query(max_length=120)] = None,
    since: Annotated[IsoDate | None, Query(description="jobs created on or after")] = None,
    until: Annotated[IsoDate | None, Query(description="jobs created before")] = None,
    margin_below: Annotated[
        Decimal | None, Query(ge=-10, le=1, description="e.g. 0.2 for margins under 20%")
    ] = None,
    kind: Annotated[
        MarginKind | None,
        Query(description="projected (open jobs), actual (final jobs) or none (not sold)"),
    ] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
) -> ProfitFilters:
    return ProfitFilters(
        branch_id=branch_id,
        crew_id=crew_id,
        job_type=job_type,
        sales_rep=sales_rep,
        since=since,
        until=until,
        margin_below=margin_below,
        kind=kind,
        q=q,
    )


Filters = Annotated[ProfitFilters, Depends(profit_filters)]


@router.get(
    "/profitability",
    summary="Jobs with contract, invoicing, costs and margin",
    description="Each job's figures with their sources and the margin that applies to it: "
    "projected for an open job, actual once it is final. Definitions: docs/profitability.md.",
)
def list_profitability(
    db: DB, _: MoneyReader, paging: Paging, filters: Filters
) -> PageOut[ProfitRowOut]:
    page = profit_reports.page(db, filters, paging)
    return PageOut[ProfitRowOut](
        items=[ProfitRowOut.of(row.job, row.money, row.kind) for row in page.items],
        total=page.total,
        page=page.page,
        size=page.size,
        pages=page.pages,
    )


@router.get(
    "/profitability/summary",
    summary="Totals of sold jobs; actual and projected margins apart, by type and month",
)
def profitability_summary(db: DB, _: MoneyReader, filters: Filters) -> SummaryOut:
    return SummaryOut.of(profit_reports.summary(db, filters))


@router.get(
    "/profitability.csv",
    summary="CSV export of the filtered jobs",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def export_profitability(db: DB, _: MoneyReader, filters: Filters) -> Response:
    return Response(
        profit_reports.csv(db, filters),
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="profitability.csv"'},
    )


@router.get(
    "/jobs/{job_id}/profitability",
    summary="One job's figures, sources and history",
    responses=errors(404),
)
def job_profitability(db: DB, _: MoneyReader, job_id: uuid.UUID) -> JobProfitabilityOut:
    report = financials_service.profitability(db, job_id)
    row = ProfitRowOut.of(report.job, report.financials, report.kind)
    return JobProfitabilityOut(
        **row.model_dump(),
        estimate={name: dollars(cents) for name, cents in report.estimate.items()},
        invoices=report.invoices,
        cost_lines=report.cost_lines,
        history=report.history,
    )


@router.put(
    "/jobs/{job_id}/figures/{figure}",
    summary="Set a figure by hand (MANUAL wins over every sync until cleared; audited)",
    responses=errors(404),
)
def set_figure(
    db: DB, principal: FigureEditor, job_id: uuid.UUID, figure: FigureName, body: ManualFigureIn
) -> ProfitRowOut:
    financials_service.set_manual(
        db, principal, job_id, figure=figure, cents=to_cents(body.amount), reason=body.reason
    )
    report = financials_service.profitability(db, job_id)
    return ProfitRowOut.of(report.job, report.financials, report.kind)


@router.post(
    "/jobs/{job_id}/figures/{figure}/clear",
    summary="Give a manual figure back to its source (the CRM or the books, else the "
    "estimate); audited",
    responses=errors(404, 409),
)
def clear_figure(
    db: DB, principal: FigureEditor, job_id: uuid.UUID, figure: FigureName, body: ClearFigureIn
) -> ProfitRowOut:
    financials_service.clear_manual(db, principal, job_id, figure=figure, reason=body.reason)
    report = financials_service.profitability(db, job_id)
    return ProfitRowOut.of(report.job, report.financials, report.kind)


@router.get("/cost-mappings", summary="QuickBooks accounts and items -> cost categories")
def list_cost_mappings(db: DB, _: MoneyReader) -> list[CostMappingOut]:
    rows = financials_service.cost_mappings(db, Provider.QUICKBOOKS)
    return [CostMappingOut.model_validate(row) for row in rows]


@router.put(
    "/cost-mappings/{mapping_id}",
    summary="Re-categorise an account or item (applies from the next full sync; audited)",
    responses=errors(404),
)
def put_cost_mapping(
    db: DB, principal: FigureEditor, mapping_id: uuid.UUID, body: CostMappingIn
) -> CostMappingOut:
    row = financials_service.map_cost(db, principal, mapping_id, body.category)
    return CostMappingOut.model_validate(row)
