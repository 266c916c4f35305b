"""JSON API of the QuickBooks connection, and the OAuth callback page Intuit sends people to."""

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
from roofops.integrations.quickbooks.connection import CALLBACK_PATH, quickbooks_connection
from roofops.integrations.quickbooks.sync_service import quickbooks_sync
from roofops.kit.schemas import OrmModel
from roofops.models.enums import ConnectionStatus

router = APIRouter(prefix="/integrations/quickbooks", tags=["integrations: QuickBooks"])
add_sync_routes(router, quickbooks_sync)
# The callback is a page: a browser signed in with the session cookie lands on it.
callback_router = APIRouter(include_in_schema=False)
Viewer = Annotated[Principal, Depends(requires(Permission.VIEW_INTEGRATIONS))]
Admin = Annotated[Principal, Depends(requires(Permission.MANAGE_INTEGRATIONS))]
CONNECTED_PAGE = "/settings/integrations?saved=quickbooks-connected"


class QuickBooksConnectionOut(OrmModel):
    status: ConnectionStatus
    origin: str = Field(
        description="ui, env (QB_REFRESH_TOKEN), env-access-token (QB_ACCESS_TOKEN), demo, or "
        "empty when nothing is configured"
    )
    realm_id: str = Field(description="the QuickBooks company id (realmId)")
    company_name: str
    can_connect: bool = Field(description="an OAuth app is configured, so Connect works")
    access_expires_at: datetime | None
    refresh_expires_at: datetime | None
    refresh_hard_expires_at: datetime | None
    last_error: str
    last_success_at: datetime | None


class AuthorizeOut(BaseModel):
    authorize_url: str = Field(description="send the admin's browser here to give consent")


@router.get("/connection", summary="The QuickBooks connection (never a token)")
def get_connection(db: DB, settings: AppSettings, _: Viewer) -> QuickBooksConnectionOut:
    return QuickBooksConnectionOut.model_validate(quickbooks_connection.view(db, settings))


@router.post(
    "/connect",
    summary="Start connecting: Intuit's consent URL",
    description="Open the URL in the admin's browser; Intuit sends it back to "
    f"`{CALLBACK_PATH}`, which completes the connection. The URL works once, for 15 minutes.",
    responses=errors(409),
)
def post_connect(db: DB, settings: AppSettings, principal: Admin) -> AuthorizeOut:
    return AuthorizeOut(authorize_url=quickbooks_connection.start_connect(db, settings, principal))


@router.delete(
    "/connection",
    summary="Disconnect: forget the tokens and revoke them (audited)",
    responses=errors(409),
)
def delete_connection(db: DB, settings: AppSettings, principal: Admin) -> QuickBooksConnectionOut:
    view = quickbooks_connection.disconnect(db, settings, principal)
    return QuickBooksConnectionOut.model_validate(view)


class CallbackQuery(BaseModel):
    """What Intuit appends to the redirect: ``error`` instead of ``code`` when consent failed."""

    code: str = ""
    state: str = ""
    realm_id: str = Field(default="", alias="realmId")
    error: str = ""


@callback_router.get(CALLBACK_PATH)
def oauth_callback(
    db: DB, settings: AppSettings, principal: Admin, query: Annotated[CallbackQuery, Query()]
) -> RedirectResponse:
    """A refusal (wrong state, denied consent, spent code) renders as the readable error page."""
    quickbooks_connection.complete_connect(
        db,
        settings,
        principal,
        code=query.code,
        state=query.state,
        realm_id=query.realm_id,
        error=query.error,
    )
    return RedirectResponse(CONNECTED_PAGE, status_code=303)
