"""Command Center (live figures now), and honest empty states for areas later issues fill.

Profit, Dispatch and Forecast have pages of their own: routes/profit.py, routes/dispatch.py,
routes/forecast.py."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from roofops.auth.dependencies import requires
from roofops.auth.permissions import Permission
from roofops.auth.principal import Principal
from roofops.company.service import company_service
from roofops.db import DB
from roofops.job.lifecycle import LABELS, OPEN, PIPELINE
from roofops.job.service import job_service
from roofops.operations.service import operations_service
from roofops.web.dependencies import Page
from roofops.web.operations_view import ALERT_KINDS, STATES, live_query, map_data, state_counts
from roofops.web.rendering import render

router = APIRouter()


@dataclass(frozen=True)
class Area:
    """A tab whose capability has not landed: it says so plainly, and nothing else."""

    title: str
    summary: str
    coming: str  # what the capability will do, in one sentence
    will_show: tuple[str, ...]
    action_label: str
    action_href: str


AREAS = {
    "finance": Area(
        title="Finance",
        summary="Invoices, payments per payer and financial reports.",
        coming="Invoicing from jobs, payments from each payer and financial reports are "
        "coming in a later release. Today, what the books say of each job's invoices and "
        "costs is on the Profit page.",
        will_show=(
            "Deposit, progress, final and insurance invoices pushed to the books",
            "Payments by payer: homeowner, insurance carrier, financing company",
            "Depreciation still held by carriers, per claim",
        ),
        action_label="Open Profit",
        action_href="/profit",
    ),
}


def _placeholder(request: Request, key: str) -> Response:
    return render(request, "placeholder.html", {"area": AREAS[key]})


@router.get("/finance", dependencies=[Depends(requires(Permission.VIEW_MONEY))])
def finance(request: Request, _page: Page) -> Response:
    return _placeholder(request, "finance")


Day = Annotated[date | None, Query(description="company-local day; default today")]
BranchId = Annotated[uuid.UUID | None, Query(description="only this branch")]


@router.get("/command-center", dependencies=[Depends(requires(Permission.VIEW_JOBS))])
def command_center(
    request: Request, db: DB, page: Page, day: Day = None, branch_id: BranchId = None
) -> Response:
    counts = job_service.stage_counts(db)
    open_counts = [(stage, counts.get(stage, 0)) for stage in PIPELINE if stage in OPEN]
    recent = job_service.recent_stage_events(db, limit=20)
    return render(
        request,
        "command_center.html",
        {
            "open_counts": open_counts,
            "open_total": sum(count for _, count in open_counts),
            "recent": recent,
            "stage_labels": {stage.value: label for stage, label in LABELS.items()},
            "branches": operations_service.branches(db),
            **_live_context(db, page.principal, day, branch_id),
        },
    )


@router.get("/command-center/live", dependencies=[Depends(requires(Permission.VIEW_JOBS))])
def command_center_live(
    request: Request, db: DB, page: Page, day: Day = None, branch_id: BranchId = None
) -> Response:
    """The live part of the page (crews, jobs, alerts, map points), re-read on live events."""
    return render(
        request, "operations/_live.html", _live_context(db, page.principal, day, branch_id)
    )


def _live_context(
    db: Session, principal: Principal, day: date | None, branch_id: uuid.UUID | None
) -> dict[str, Any]:
    today = company_service.today(db)
    snapshot = operations_service.snapshot(db, principal, day or today, branch_id)
    return {
        "ops": snapshot,
        "today": today,
        "live_query": live_query(snapshot),
        "states": STATES,
        "alert_kinds": ALERT_KINDS,
        "state_counts": state_counts(snapshot),
        "map_data": map_data(snapshot),
    }
