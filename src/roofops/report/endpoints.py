"""JSON API of the financial reports, each also as CSV or XLSX (``?format=``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from sqlalchemy.orm import Session

from roofops.api_responses import errors
from roofops.auth.dependencies import requires
from roofops.auth.permissions import Permission
from roofops.db import DB
from roofops.kit.schemas import IsoDate
from roofops.report.export import XLSX_TYPE, exported
from roofops.report.periods import Comparison
from roofops.report.schemas import ReportOut
from roofops.report.service import ReportQuery, build
from roofops.report.tables import ExportFormat

router = APIRouter(
    prefix="/reports/finance",
    tags=["reports"],
    dependencies=[Depends(requires(Permission.VIEW_FINANCIAL_REPORTS))],
)
MONTH = r"^\d{4}-\d{2}$"


def report_query(
    since: Annotated[
        str | None,
        Query(alias="from", description="first month, YYYY-MM (default: 11 months before to)"),
    ] = None,
    until: Annotated[
        str | None, Query(alias="to", description="last month, YYYY-MM (default: this month)")
    ] = None,
    compare: Annotated[
        Comparison, Query(description="previous period, same months last year, or none")
    ] = Comparison.PREVIOUS,
    as_of: Annotated[
        IsoDate | None, Query(description="AR aging date (default: today, company time)")
    ] = None,
) -> ReportQuery:
    return ReportQuery(since=since, until=until, compare=compare, as_of=as_of)


Asked = Annotated[ReportQuery, Depends(report_query)]
Format = Annotated[ExportFormat, Query(description="json, or a csv / xlsx file")]
FILES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}, XLSX_TYPE: {}}},
    **errors(422),
}


def _answer(
    db: Session, name: str, query: ReportQuery, export: ExportFormat
) -> ReportOut | Response:
    report = build(db, name, query)
    if export == ExportFormat.JSON:
        return ReportOut.of(report)
    content, media_type, filename = exported(report, export)
    disposition = f'attachment; filename="{filename}"'
    return Response(content, media_type=media_type, headers={"Content-Disposition": disposition})


@router.get(
    "/revenue",
    response_model=ReportOut,
    responses=FILES,
    summary="Revenue invoiced and collected by month, with a comparison period",
    description="Invoiced: the books' invoices plus ours not in the books yet; collected: the "
    "books' payments by payment date. Definitions: docs/finance.md, 'Financial reports'.",
)
def revenue(db: DB, query: Asked, format: Format = ExportFormat.JSON) -> ReportOut | Response:
    return _answer(db, "revenue", query, format)


@router.get(
    "/margins",
    response_model=ReportOut,
    responses=FILES,
    summary="Gross margin by job type, branch, crew and sales rep (actual and projected apart)",
    description="Sold jobs created in the period, with the Profit page's figures.",
)
def margins(db: DB, query: Asked, format: Format = ExportFormat.JSON) -> ReportOut | Response:
    return _answer(db, "margins", query, format)


@router.get(
    "/ar-aging",
    response_model=ReportOut,
    responses=FILES,
    summary="Accounts receivable aging by payer type, as of a date",
    description="Open balances in buckets of days past due: current, 1-30, 31-60, 61-90, 90+.",
)
def ar_aging(db: DB, query: Asked, format: Format = ExportFormat.JSON) -> ReportOut | Response:
    return _answer(db, "ar-aging", query, format)


@router.get(
    "/wip",
    response_model=ReportOut,
    responses=FILES,
    summary="Work in progress: open jobs' contract, billed and cost to date, over/under billing",
)
def wip(db: DB, query: Asked, format: Format = ExportFormat.JSON) -> ReportOut | Response:
    return _answer(db, "wip", query, format)


@router.get(
    "/depreciation",
    response_model=ReportOut,
    responses=FILES,
    summary="Depreciation outstanding: held by carriers, and released but unpaid",
)
def depreciation(db: DB, query: Asked, format: Format = ExportFormat.JSON) -> ReportOut | Response:
    return _answer(db, "depreciation", query, format)
