"""The executive dashboard: each KPI of the registry for a month or a week, with the change on
the period before and on the same period a year before, its 13-period chart, where money
figures came from, and what each figure means on hover (docs/executive.md)."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from roofops.auth.dependencies import requires
from roofops.auth.permissions import Permission
from roofops.db import DB
from roofops.exceptions import ValidationFailed
from roofops.kpi.results import Grain
from roofops.kpi.service import kpi_service
from roofops.web.dependencies import Page
from roofops.web.executive_view import tiles
from roofops.web.rendering import render

router = APIRouter(dependencies=[Depends(requires(Permission.VIEW_EXECUTIVE))])


@router.get("/executive")
def executive(request: Request, db: DB, page: Page) -> Response:
    today = kpi_service.today(db)
    grain = _grain(request.query_params.get("grain") or Grain.MONTH.value)
    day = _day(request.query_params.get("period"), today)
    period = kpi_service.period_containing(day, grain)
    view = kpi_service.view(db, page.principal.role, period, today)
    return render(
        request,
        "executive/dashboard.html",
        {
            "view": view,
            "tiles": tiles(view),
            "grain": grain,
            "today": today,
            "day": day,
            "following": _following(period.end, today),
            "money_hidden": not page.can(Permission.VIEW_MONEY),
        },
    )


def _grain(text: str) -> Grain:
    try:
        return Grain(text)
    except ValueError:
        raise ValidationFailed(
            f"grain must be month or week, not {text!r}", field="grain"
        ) from None


def _day(text: str | None, today: date) -> date:
    if not text:
        return today
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(
            f"period must be a day as YYYY-MM-DD, not {text!r}", field="period"
        ) from None


def _following(end: date, today: date) -> date | None:
    """The first day of the next period, when it has begun."""
    following = end + timedelta(days=1)
    return following if following <= today else None
