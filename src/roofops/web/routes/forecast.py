"""The Forecast pages: the latest run and its metrics, every open job's completion window,
crew demand against capacity, revenue bands, trends, and forecast vs actual; a run on demand.

Every page reads the latest succeeded run through the forecast service; when the newest run
failed or is still going, the pages say so above the figures they show (docs/forecasting-pages.md).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from roofops.auth.dependencies import requires
from roofops.auth.permissions import Permission
from roofops.company.service import company_service
from roofops.db import DB, attempt
from roofops.exceptions import RoofOpsError
from roofops.forecast.results import ForecastSeries
from roofops.forecast.service import forecast_service, is_money
from roofops.forecast.windows import job_windows
from roofops.models.enums import JobType
from roofops.models.forecast import ForecastRun, ForecastRunStatus, ForecastTrigger
from roofops.web.context import PageContext
from roofops.web.dependencies import Page
from roofops.web.forecast_view import (
    FORECAST_STAGES,
    CompletionQuery,
    backtest_headings,
    backtest_rows,
    basis_sentence,
    demand_panels,
    in_trend_order,
    model_figures,
    revenue_panels,
    series_accuracy,
    trend_charts,
    trend_rows,
)
from roofops.web.rendering import render

router = APIRouter(prefix="/forecast", dependencies=[Depends(requires(Permission.VIEW_FORECASTS))])


def _runs(db: Session) -> dict[str, Any]:
    """The newest run (any status) and the succeeded one whose figures the page shows."""
    latest = forecast_service.latest_run(db)
    shown = (
        latest
        if latest is not None and latest.status == ForecastRunStatus.SUCCEEDED
        else forecast_service.latest_succeeded(db)
    )
    return {"latest": latest, "shown": shown}


def _with_runs(request: Request, db: Session, template: str, **context: Any) -> Response:
    return render(request, f"forecast/{template}", _runs(db) | context)


def _overview(db: Session) -> dict[str, Any]:
    runs = _runs(db)
    shown: ForecastRun | None = runs["shown"]
    return runs | {
        "figures": model_figures(shown.metrics) if shown else [],
        "counts": forecast_service.counts(db, shown.id) if shown else (0, 0),
        "recent": forecast_service.runs(db, limit=10),
    }


@router.get("")
def overview(request: Request, db: DB, _page: Page) -> Response:
    started = request.query_params.get("started") == "1"
    return render(request, "forecast/overview.html", _overview(db) | {"started": started})


@router.get("/completion")
def completion(request: Request, db: DB, _page: Page) -> Response:
    runs = _runs(db)
    query = CompletionQuery.from_params(request.query_params)
    windows = job_windows(db, runs["shown"].id) if runs["shown"] else []
    rows = [(window, basis_sentence(window.forecast)) for window in query.apply(windows)]
    return render(
        request,
        "forecast/completion.html",
        runs
        | {
            "query": query,
            "rows": rows,
            "total": len(windows),
            "stages": FORECAST_STAGES,
            "job_types": list(JobType),
        },
    )


@router.get("/demand")
def demand(request: Request, db: DB, _page: Page) -> Response:
    series = _series(db, "")
    unit = "crew_days" if request.query_params.get("unit") == "crew_days" else "crew_hours"
    return _with_runs(request, db, "demand.html", panels=demand_panels(series, unit), unit=unit)


@router.get("/revenue", dependencies=[Depends(requires(Permission.VIEW_MONEY))])
def revenue(request: Request, db: DB, _page: Page) -> Response:
    series = [s for s in _series(db, "revenue.") if s.key in {"revenue.week", "revenue.month"}]
    return _with_runs(request, db, "revenue.html", panels=revenue_panels(series))


@router.get("/trends")
def trends(request: Request, db: DB, page: Page) -> Response:
    series = in_trend_order(s for s in _series(db, "trend.") if _may_see(page, s.key))
    return _with_runs(
        request,
        db,
        "trends.html",
        charts=trend_charts(series),
        summary=trend_rows(series),
        money_hidden=not page.can(Permission.VIEW_MONEY),
    )


@router.get("/accuracy")
def accuracy(request: Request, db: DB, page: Page) -> Response:
    scored = forecast_service.accuracy(db, with_money=page.can(Permission.VIEW_MONEY))
    checks = list(scored.points)
    return _with_runs(
        request,
        db,
        "accuracy.html",
        accuracy=scored,
        by_series=series_accuracy(checks, _series(db, "") if checks else []),
        backtests=backtest_rows(forecast_service.runs(db, limit=20)),
        backtest_headings=backtest_headings(),
    )


@router.post("/runs", dependencies=[Depends(requires(Permission.RUN_FORECASTS))])
def start_run(request: Request, db: DB, page: Page) -> Response:
    """Queue a run for a worker; the overview shows it running, then its figures on reload."""
    try:
        with attempt(db):
            forecast_service.start_run(
                db,
                company_service.today(db),
                trigger=ForecastTrigger.MANUAL,
                user_id=page.principal.user_id,
            )
    except RoofOpsError as refusal:
        context = _overview(db) | {"refusal": refusal.message}
        return render(request, "forecast/overview.html", context, status_code=refusal.status_code)
    return RedirectResponse("/forecast?started=1", status_code=303)


def _series(db: Session, prefix: str) -> list[ForecastSeries]:
    latest = forecast_service.latest_succeeded(db)
    return list(forecast_service.series(db, latest.id, prefix)) if latest else []


def _may_see(page: PageContext, key: str) -> bool:
    """Revenue, sales value and margin are money: only for those who may see money."""
    return not is_money(key) or page.can(Permission.VIEW_MONEY)
