"""JSON API of performance analytics: crews, sales reps, cycle times, backlog, drill-downs.
Money (margins, contract values) is null for roles without view_money."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from roofops.api_responses import errors
from roofops.auth.dependencies import requires
from roofops.auth.permissions import Permission
from roofops.auth.principal import Principal
from roofops.company.service import company_service
from roofops.db import DB
from roofops.performance.results import (
    Backlog,
    CrewPerformance,
    DrillDown,
    Figure,
    RepPerformance,
    StageCycleTime,
)
from roofops.performance.service import DEFAULT_DAYS, performance_service

router = APIRouter(prefix="/performance", tags=["performance"], responses=errors(422))
Reader = Annotated[Principal, Depends(requires(Permission.VIEW_PERFORMANCE))]
Start = Annotated[
    date | None, Query(description=f"first day, YYYY-MM-DD (default: {DEFAULT_DAYS} days back)")
]
End = Annotated[date | None, Query(description="last day, included (default: today)")]


def period(db: DB, start: Start = None, end: End = None) -> tuple[date, date]:
    """The period asked for, both days included; defaults end today, company time."""
    last = end or company_service.today(db)
    return start or last - timedelta(days=DEFAULT_DAYS - 1), last


Period = Annotated[tuple[date, date], Depends(period)]


@router.get("/crews", summary="Per crew: squares per crew-day, on-time rates, callbacks, margin")
def crews(db: DB, principal: Reader, asked: Period) -> list[CrewPerformance]:
    return performance_service.crews(db, principal.role, *asked)


@router.get("/reps", summary="Per sales rep: leads, won, lost, close rate, contract, margin")
def reps(db: DB, principal: Reader, asked: Period) -> list[RepPerformance]:
    return performance_service.reps(db, principal.role, *asked)


@router.get("/cycle-times", summary="Median and 80th percentile days per stage")
def cycle_times(db: DB, _: Reader, asked: Period) -> list[StageCycleTime]:
    return performance_service.cycle_times(db, *asked)


@router.get("/backlog", summary="Signed, unfinished work in crew-days and contract value")
def backlog(
    db: DB,
    principal: Reader,
    as_of: Annotated[
        date | None, Query(description="at the end of this day (default: today)")
    ] = None,
) -> Backlog:
    day = as_of or company_service.today(db)
    return performance_service.backlog(db, day, role=principal.role)


@router.get(
    "/drill-down",
    summary="The jobs behind one figure, with the values it used",
    responses=errors(403),
)
def drill_down(
    db: DB,
    principal: Reader,
    asked: Period,
    figure: Annotated[Figure, Query(description="which figure")],
    subject: Annotated[
        str, Query(max_length=200, description="the crew id, the sales rep or the stage")
    ] = "",
) -> DrillDown:
    return performance_service.drill_down(
        db, principal.role, figure, period_start=asked[0], period_end=asked[1], subject=subject
    )
