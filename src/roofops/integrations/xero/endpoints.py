"""JSON API of the Xero connection, and the OAuth callback page Xero sends people to."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from roofops.api_responses import errors
from roofops.auth.dependencies import requires
from roofops.auth.permissions import Permission
from roofops.auth.principal import Principal
from roofops.db import DB
from roofops.dependencies import AppSettings
from roofops.integrations.core.endpoints import add_sync_routes
from roofops.integrations.xero.connection import CALLBACK_PATH, XeroView, xero_connection
from roofops.integrations.xero.sync_service import xero_sync
from roofops.models.enums import ConnectionStatus

router = APIRouter(prefix="/integrations/xero", tags=["integrations: Xero"])
add_sync_routes(router, xero_sync)
# The callback is a page: a browser signed in with the session cookie lands on it.
callback_router = APIRouter(include_in_schema=False)
Viewer = Annotated[Principal, Depends(requires(Permission.VIEW_INTEGRATIONS))]
Admin = Annotated[Principal, Depends(requires(Permission.MANAGE_INTEGRATIONS))]
CONNECTED_PAGE = "/settings/integrations?saved=xero-connected#xero"


class OrganisationOut(BaseModel):
    tenant_id: str
    name: str


class XeroConnectionOut(BaseModel):
    status: ConnectionStatus
    origin: str = Field(description="ui, demo, or empty when nothing is connected")
    tenant_id: str = Field(description="the chosen organisation; empty while a choice is due")
    organisation: str
    organisations: list[OrganisationOut] = Field(description="what the consent reached")
    can_connect: bool = Field(description="an OAuth app is configured, so Connect works")
    access_expires_at: datetime | None
    refresh_expires_at: datetime | None
    last_error: str
    last_success_at: datetime | None

    @classmethod
    def of(cls, view: XeroView) -> XeroConnectionOut:
        return cls(
            status=view.status,
            origin=view.origin,
            tenant_id=view.tenant_id,
            organisation=view.organisation,
            organisations=[
                OrganisationOut(tenant_id=t.tenant_id, name=t.name) for t in view.tenants
            ],
            can_connect=view.can_connect,
            access_expires_at=view.access_expires_at,
            refresh_expires_at=view.refresh_expires_at,
            last_error=view.last_error,
            last_success_at=view.last_success_at,
        )


class AuthorizeOut(BaseModel):
    authorize_url: str = Field(description="send the admin's browser here to give consent")


class TenantIn(BaseModel):
    tenant_id: str = Field(min_length=1, max_length=64)


@router.get("/connection", summary="The Xero connection (never a token)")
def get_connection(db: DB, settings: AppSettings, _: Viewer) -> XeroConnectionOut:
    return XeroConnectionOut.of(xero_connection.view(db, settings))


@router.post(
    "/connect",
    summary="Start connecting: Xero's consent URL",
    description="Open the URL in the admin's browser; Xero sends it back to "
    f"`{CALLBACK_PATH}`, which completes the connection. The URL works once, for 15 minutes. "
    "409 while QuickBooks is connected (a company keeps its books in one system).",
    responses=errors(409),
)
def post_connect(db: DB, settings: AppSettings, principal: Admin) -> AuthorizeOut:
    return AuthorizeOut(authorize_url=xero_connection.start_connect(db, settings, principal))


@router.put(
    "/connection/organisation",
    summary="Choose the organisation to sync (when the consent reached several; audited)",
    responses=errors(404, 409),
)
def put_organisation(
    db: DB, settings: AppSettings, principal: Admin, body: TenantIn
) -> XeroConnectionOut:
    view = xero_connection.choose_tenant(db, settings, principal, body.tenant_id)
    return XeroConnectionOut.of(view)


@router.delete(
    "/connection",
    summary="Disconnect: forget the tokens and revoke them (audited)",
    responses=errors(409),
)
def delete_connection(db: DB, settings: AppSettings, principal: Admin) -> XeroConnectionOut:
    return XeroConnectionOut.of(xero_connection.disconnect(db, settings, principal))


class CallbackQuery(BaseModel):
    """What Xero appends to the redirect: ``error`` instead of ``code`` when consent failed."""

    code: str = ""
    state: str = ""
    error: str = ""


@callback_router.get(CALLBACK_PATH)
def oauth_callback(
    db: DB, settings: AppSettings, principal: Admin, query: Annotated[CallbackQuery, Query()]
) -> RedirectResponse:
    """A refusal (wrong state, denied consent, spent code) renders as the readable error page."""
    xero_connection.complete_connect(
        db, settings, principal, code=query.code, state=query.state, error=query.error
    )
    return RedirectResponse(CONNECTED_PAGE, status_code=303)
