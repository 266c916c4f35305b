"""The JSON API under /api/v1: each domain contributes its router."""

from __future__ import annotations

from fastapi import APIRouter

from roofops.auth.endpoints import router as auth_router
from roofops.company.endpoints import router as company_router
from roofops.crew.endpoints import router as crew_router
from roofops.customer.endpoints import router as customer_router
from roofops.events.endpoints import router as events_router
from roofops.financials.endpoints import router as accounting_router
from roofops.integrations.jobnimbus.endpoints import router as jobnimbus_router
from roofops.integrations.quickbooks.endpoints import router as quickbooks_router
from roofops.integrations.quickbooks.webhook_endpoints import router as quickbooks_webhook_router
from roofops.job.endpoints import router as job_router

api_router = APIRouter(prefix="/api/v1")
for domain_router in (
    auth_router,
    company_router,
    customer_router,
    job_router,
    crew_router,
    events_router,
    jobnimbus_router,
    accounting_router,
    quickbooks_router,
    quickbooks_webhook_router,
):
    api_router.include_router(domain_router)
