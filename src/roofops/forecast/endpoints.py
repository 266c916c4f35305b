"""JSON API of forecasting: runs (list, one, start), a job's completion window, a run's series
and forecast vs actual. Revenue and margin figures are left out for roles without view_money."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from roofops.api_responses import errors
from roofops.auth.dependencies import requires
from roofops.auth.permissions import Permission
from roofops.auth.principal import Principal
from roofops.company.service import company_service
from roofops.db import DB
from roofops.exceptions import NotFound
from roofops.forecast.schemas import (
    AccuracyOut,
    JobWindowOut,
    RunDetailOut,
    RunIn,
    RunOut,
    SeriesOut,
)
from roofops.forecast.service import (
    forecast_service,
    is_money,
    without_money,
)
from roofops.models.forecast import ForecastRun, ForecastTrigger

router = APIRouter(prefix="/forecast", tags=["forecast"])
Reader = Annotated[Principal, Depends(requires(Permission.VIEW_FORECASTS))]
Runner = Annotated[Principal, Depends(requires(Permission.RUN_FORECASTS))]
JobReader = Annotated[Principal, Depends(requires(Permission.VIEW_JOBS))]
Prefix = Annotated[
    str,
    Query(max_length=120, description="series whose key starts with this, e.g. demand., trend."),
]


@router.get("/runs", summary="Recent forecast runs, newest first, with their metrics")
def list_runs(
    db: DB, principal: Reader, limit: Annotated[int, Query(ge=1, le=100)] = 20
) -> list[RunOut]:
    return [_run_out(run, principal) for run in forecast_service.runs(db, limit)]


@router.get("/runs/{run_id}", summary="A forecast run with what it stored", responses=errors(404))
def get_run(db: DB, principal: Reader, run_id: uuid.UUID) -> RunDetailOut:
    run = forecast_service.get_run(db, run_id)
    return RunDetailOut.of(_run_out(run, principal), forecast_service.counts(db, run_id))


@router.post(
    "/runs",
    status_code=202,
    summary="Start a forecast run on a worker; one at a time (409 while one is running)",
    responses=errors(409),
)
def start_run(db: DB, principal: Runner, body: RunIn) -> RunOut:
    as_of = body.as_of or company_service.today(db)
    run = forecast_service.start_run(
        db, as_of, trigger=ForecastTrigger.MANUAL, user_id=principal.user_id
    )
    return _run_out(run, principal)


@router.get(
    "/jobs/{job_id}",
    summary="A job's predicted start and finish (p10/p50/p90) from the latest run",
    responses=errors(404),
)
def job_window(db: DB, _: JobReader, job_id: uuid.UUID) -> JobWindowOut:
    window = forecast_service.job_window(db, job_id)
    if window is None:
        raise NotFound("no forecast for this job: it is closed, or no run has predicted it yet")
    return JobWindowOut.of(window)


@router.get(
    "/series",
    summary="A run's series with their bands (the latest succeeded run by default)",
    responses=errors(404),
)
def series(
    db: DB, principal: Reader, prefix: Prefix = "", run_id: uuid.UUID | None = None
) -> list[SeriesOut]:
    if run_id is not None:
        forecast_service.get_run(db, run_id)  # a 404 for an unknown run, not an empty list
    found = forecast_service.series(db, run_id, prefix)
    if not principal.can(Permission.VIEW_MONEY):
        found = without_money(found)
    return [SeriesOut.of(one) for one in found]


@router.get("/accuracy", summary="Forecast vs actual: past runs checked against what happened")
def accuracy(
    db: DB, principal: Reader, runs: Annotated[int, Query(ge=1, le=60)] = 12
) -> AccuracyOut:
    with_money = principal.can(Permission.VIEW_MONEY)
    return AccuracyOut.of(forecast_service.accuracy(db, runs=runs, with_money=with_money))


def _run_out(run: ForecastRun, principal: Principal) -> RunOut:
    out = RunOut.model_validate(run)
    if principal.can(Permission.VIEW_MONEY):
        return out
    kept = [entry for entry in out.metrics if not is_money(entry.model)]
    return out.model_copy(update={"metrics": kept})
