"""The JSON API under /api/v1: each domain contributes its router."""

from __future__ import annotations

from fastapi import APIRouter

from roofops.activity.endpoints import router as activity_router
from roofops.api_responses import errors
from roofops.auth.endpoints import router as auth_router
from roofops.company.endpoints import router as company_router
from roofops.crew.endpoints import router as crew_router
from roofops.customer.endpoints import router as customer_router
from roofops.dispatch.endpoints import router as dispatch_router
from roofops.dispatch.field_endpoints import router as dispatch_field_router
from roofops.document.endpoints import router as document_router
from roofops.events.endpoints import router as events_router
from roofops.field.endpoints import router as field_router
from roofops.financials.endpoints import router as accounting_router
from roofops.forecast.endpoints import router as forecast_router
from roofops.integrations.invoicing.endpoints import router as invoice_push_router
from roofops.integrations.jobnimbus.endpoints import router as jobnimbus_router
from roofops.integrations.quickbooks.endpoints import router as quickbooks_router
from roofops.integrations.quickbooks.webhook_endpoints import router as quickbooks_webhook_router
from roofops.integrations.xero.endpoints import router as xero_router
from roofops.integrations.xero.webhook_endpoints import router as xero_webhook_router
from roofops.invoice.endpoints import router as invoice_router
from roofops.invoice.payment_endpoints import router as invoice_payments_router
from roofops.job.endpoints import router as job_router
from roofops.kpi.endpoints import router as executive_router
from roofops.kpi.weekly_report_endpoints import router as weekly_report_router
from roofops.notification.endpoints import router as notification_router
from roofops.operations.endpoints import router as operations_router
from roofops.performance.endpoints import router as performance_router
from roofops.portal.endpoints import router as portal_links_router
from roofops.report.endpoints import router as report_router
from roofops.team.endpoints import router as team_router

# Any request may carry a body too large (413), JSON too deep (400) or a bad value (422).
api_router = APIRouter(prefix="/api/v1", responses=errors(400, 413, 422))
for domain_router in (
    auth_router,
    company_router,
    customer_router,
    job_router,
    activity_router,
    notification_router,
    crew_router,
    dispatch_router,
    dispatch_field_router,
    field_router,
    document_router,
    forecast_router,
    performance_router,
    events_router,
    jobnimbus_router,
    accounting_router,
    invoice_router,
    invoice_payments_router,
    report_router,
    executive_router,
    weekly_report_router,
    operations_router,
    invoice_push_router,
    quickbooks_router,
    xero_router,
    team_router,
    portal_links_router,
):
    # Every one of these needs a principal (401) of a role the route allows (403).
    api_router.include_router(domain_router, responses=errors(401, 403))
# Intuit and Xero sign their deliveries instead of signing in: a bad signature is a 401.
api_router.include_router(quickbooks_webhook_router, responses=errors(401))
api_router.include_router(xero_webhook_router)
