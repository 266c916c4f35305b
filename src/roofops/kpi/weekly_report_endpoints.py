"""The weekly executive report's PDF of a week: under the API (/api/v1/executive/report.pdf)
and as the Executive page's download (/executive/report.pdf, signed in through the browser)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from roofops.api_responses import errors
from roofops.auth.dependencies import requires
from roofops.auth.permissions import Permission
from roofops.db import DB
from roofops.kit.schemas import IsoDate
from roofops.kpi.weekly_report import download, report_filename

READERS = [Depends(requires(Permission.VIEW_EXECUTIVE))]
router = APIRouter(prefix="/executive", tags=["executive"], dependencies=READERS)
page_router = APIRouter(prefix="/executive", include_in_schema=False, dependencies=READERS)
WEEK_HELP = "any day of the week wanted, YYYY-MM-DD; default: the last full week"


@router.get(
    "/report.pdf",
    summary="The weekly executive report of a week, as a PDF",
    description="The report e-mailed on Monday mornings: the week's KPIs against the week "
    "before and a year before, the month to date, 13-week charts, sources and definitions. "
    "Figures of a period still running are marked partial (*).",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, **errors(422)},
)
def weekly_report_pdf(
    db: DB, week: Annotated[IsoDate | None, Query(description=WEEK_HELP)] = None
) -> Response:
    period, document = download(db, week)
    return Response(
        document,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{report_filename(period)}"'},
    )


page_router.add_api_route("/report.pdf", weekly_report_pdf, methods=["GET"])
