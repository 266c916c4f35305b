"""Command Center (live figures now), and honest empty states for areas later issues fill.

Profit, Dispatch and Forecast have pages of their own: routes/profit.py, routes/dispatch.py,
routes/forecast.py."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from roofops.auth.dependencies import requires
from roofops.auth.permissions import Permission
from roofops.db import DB
from roofops.job.lifecycle import LABELS, OPEN, PIPELINE
from roofops.job.service import job_service
from roofops.web.dependencies import Page
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


@router.get("/command-center", dependencies=[Depends(requires(Permission.VIEW_JOBS))])
def command_center(request: Request, db: DB, _page: Page) -> Response:
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
        },
    )
