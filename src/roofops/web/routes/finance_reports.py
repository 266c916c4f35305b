"""The financial reports page: revenue, margins, AR aging, WIP and depreciation for a period,
with charts, hover definitions and CSV/XLSX links (the API serves the files)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from roofops.auth.dependencies import requires
from roofops.auth.permissions import Permission
from roofops.db import DB
from roofops.exceptions import ValidationFailed
from roofops.report.service import REPORTS, ReportQuery, build, finance_reports
from roofops.web.dependencies import Page
from roofops.web.finance_view import cell, charts, report_query, shown, views
from roofops.web.rendering import render

router = APIRouter(dependencies=[Depends(requires(Permission.VIEW_FINANCIAL_REPORTS))])


@router.get("/reports/finance")
def finance_reports_page(request: Request, db: DB, page: Page) -> Response:
    error = ""
    try:
        query = report_query(request.query_params)
        reports = {name: build(db, name, query) for name in REPORTS}
    except ValidationFailed as exc:  # the form shows what was wrong, over the default period
        error, query = exc.message, ReportQuery()
        reports = {name: build(db, name, query) for name in REPORTS}
    context = {
        "query": query,
        "shown": shown(query, finance_reports.today(db)),
        "error": error,
        "views": views(reports, query),
        "charts": charts(reports),
        "cell": lambda column, value: cell(column, value, page.money),
    }
    return render(request, "reports/finance.html", context, status_code=422 if error else 200)
