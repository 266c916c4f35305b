"""Dashboard pages: each area has its own router; app.py includes ``page_router``."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter

from roofops.integrations.quickbooks.endpoints import callback_router as quickbooks_callback
from roofops.integrations.xero.endpoints import callback_router as xero_callback
from roofops.kpi.weekly_report_endpoints import page_router as weekly_report_download
from roofops.web.routes import (
    activity,
    auth,
    crew,
    dispatch,
    docs,
    documents,
    executive,
    finance_reports,
    forecast,
    integrations,
    invoices,
    jobs,
    overview,
    performance,
    portal_links,
    profit,
    settings,
    teams,
)

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

page_router = APIRouter(include_in_schema=False)
for area in (
    auth,
    activity,
    jobs,
    documents,
    invoices,
    overview,
    profit,
    finance_reports,
    dispatch,
    forecast,
    performance,
    executive,
    integrations,
    settings,
    docs,
    crew,
    teams,
    portal_links,
):
    page_router.include_router(area.router)
page_router.include_router(crew.photo_router)  # site photos, to anyone who may see the job
page_router.include_router(quickbooks_callback)  # Intuit's OAuth redirect lands here
page_router.include_router(xero_callback)  # Xero's OAuth redirect lands here
page_router.include_router(weekly_report_download)  # the Executive page's PDF

__all__ = ["STATIC_DIR", "page_router"]
