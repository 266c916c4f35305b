"""Command Center (live figures now), and honest empty states for areas later issues fill.

Profit has a page of its own: routes/profit.py."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import Response

from roofops.db import DB
from roofops.job.lifecycle import LABELS, OPEN, PIPELINE
from roofops.job.service import job_service
from roofops.web.dependencies import Page
from roofops.web.rendering import render

router = APIRouter()


@dataclass(frozen=True)
class Area:
    title: str
    summary: str
    empty_title: str
    empty_text: str
    will_show: tuple[str, ...]
    action_label: str = "Open Settings > Integrations"
    action_href: str = "/settings#integrations"


AREAS = {
    "finance": Area(
        title="Finance",
        summary="Invoices, payments and what insurers still owe.",
        empty_title="No invoices or payments yet",
        empty_text=(
            "Connect QuickBooks or Xero in Settings > Integrations to see open invoices, "
            "payments and held depreciation."
        ),
        will_show=(
            "Open invoices by payer: homeowner, insurance, financing",
            "Depreciation still held by carriers, per claim",
            "Cash received this month against what was billed",
        ),
    ),
    "dispatch": Area(
        title="Dispatch",
        summary="Crew schedules and daily routes.",
        empty_title="No schedule planned yet",
        empty_text=(
            "Crews and the scheduling optimizer arrive in a coming release. Jobs in "
            "'Materials ordered' and 'Scheduled' will be planned here against crew capacity, "
            "skills and weather."
        ),
        will_show=(
            "A calendar of crews and jobs by day",
            "Optimized daily routes with drive times",
            "Rain-day reshuffles with one click",
        ),
        action_label="See jobs ready to schedule",
        action_href="/jobs?stage=materials_ordered&stage=scheduled",
    ),
    "forecast": Area(
        title="Forecast",
        summary="Expected completions, revenue and crew load.",
        empty_title="Not enough history for a forecast yet",
        empty_text=(
            "Forecasts are computed from your jobs' stage history. Once the forecasting "
            "module is enabled, expected completion dates and monthly revenue appear here."
        ),
        will_show=(
            "Completion date ranges for every open job",
            "Squares and revenue expected per month, with intervals",
            "Crew load compared with capacity",
        ),
        action_label="Review stage history in Jobs",
        action_href="/jobs",
    ),
}


def _placeholder(request: Request, key: str) -> Response:
    return render(request, "placeholder.html", {"area": AREAS[key]})


@router.get("/finance")
def finance(request: Request, _page: Page) -> Response:
    return _placeholder(request, "finance")


@router.get("/dispatch")
def dispatch(request: Request, _page: Page) -> Response:
    return _placeholder(request, "dispatch")


@router.get("/forecast")
def forecast(request: Request, _page: Page) -> Response:
    return _placeholder(request, "forecast")


@router.get("/command-center")
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
