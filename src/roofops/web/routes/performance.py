"""The Performance pages: crews, sales reps, cycle times per stage and backlog for a period,
each figure defined on hover and linked to the jobs behind it (docs/performance.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from roofops.auth.dependencies import requires
from roofops.auth.permissions import Permission
from roofops.company.service import company_service
from roofops.db import DB
from roofops.exceptions import ValidationFailed
from roofops.performance.definitions import DEFINITIONS
from roofops.performance.results import Figure
from roofops.performance.service import DEFAULT_DAYS, check_period, performance_service
from roofops.web.dependencies import Page
from roofops.web.rendering import render

router = APIRouter(
    prefix="/performance", dependencies=[Depends(requires(Permission.VIEW_PERFORMANCE))]
)


@dataclass(frozen=True)
class Shown:
    """The period on the page, what went wrong with the one asked for, and whether it is over."""

    start: date
    end: date
    today: date
    error: str = ""

    @property
    def running(self) -> bool:
        """The period reaches today: its figures will still move."""
        return self.end >= self.today

    @property
    def query(self) -> str:
        return f"start={self.start.isoformat()}&end={self.end.isoformat()}"


def _day(text: str | None, field: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(
            f"{field} must be a date written YYYY-MM-DD, not {text!r}", field=field
        ) from None


def _shown(request: Request, db: Session) -> Shown:
    """The period asked for; on bad input the default period, with the reason to show."""
    today = company_service.today(db)
    default = Shown(today - timedelta(days=DEFAULT_DAYS - 1), today, today)
    try:
        end = _day(request.query_params.get("end"), "end") or today
        start = _day(request.query_params.get("start"), "start") or end - timedelta(
            days=DEFAULT_DAYS - 1
        )
        check_period(start, end)
    except ValidationFailed as exc:
        return Shown(default.start, default.end, today, exc.message)
    return Shown(start, end, today)


def _render_tab(request: Request, template: str, shown: Shown, **context: Any) -> Response:
    status = 422 if shown.error else 200
    return render(
        request,
        f"performance/{template}",
        {"shown": shown, "terms": DEFINITIONS, "Figure": Figure} | context,
        status_code=status,
    )


@router.get("")
def crews(request: Request, db: DB, page: Page) -> Response:
    shown = _shown(request, db)
    rows = performance_service.crews(db, page.principal.role, shown.start, shown.end)
    return _render_tab(request, "crews.html", shown, rows=rows)


@router.get("/reps")
def reps(request: Request, db: DB, page: Page) -> Response:
    shown = _shown(request, db)
    rows = performance_service.reps(db, page.principal.role, shown.start, shown.end)
    return _render_tab(request, "reps.html", shown, rows=rows)


@router.get("/cycle-times")
def cycle_times(request: Request, db: DB, _page: Page) -> Response:
    shown = _shown(request, db)
    rows = performance_service.cycle_times(db, shown.start, shown.end)
    return _render_tab(request, "cycle_times.html", shown, rows=rows)


@router.get("/backlog")
def backlog(request: Request, db: DB, page: Page) -> Response:
    shown = _shown(request, db)
    figures = performance_service.backlog(db, shown.end, role=page.principal.role)
    return _render_tab(request, "backlog.html", shown, backlog=figures)


@router.get("/drill-down")
def drill_down(request: Request, db: DB, page: Page) -> Response:
    shown = _shown(request, db)
    if shown.error:
        raise ValidationFailed(shown.error)
    try:
        figure = Figure(request.query_params.get("figure", ""))
    except ValueError:
        raise ValidationFailed("pick a figure on a performance page to see its jobs") from None
    found = performance_service.drill_down(
        db,
        page.principal.role,
        figure,
        period_start=shown.start,
        period_end=shown.end,
        subject=request.query_params.get("subject", ""),
    )
    return _render_tab(request, "drill_down.html", shown, drill=found, back=_tab_of(figure))


def _tab_of(figure: Figure) -> str:
    """The page a figure is on, for the way back."""
    if figure is Figure.BACKLOG:
        return "/performance/backlog"
    if figure is Figure.STAGE_CYCLE_TIME:
        return "/performance/cycle-times"
    return "/performance/reps" if figure.value.startswith("rep_") else "/performance"
