"""JSON API for the JobNimbus connection, its status map and its sync runs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from roofops.api_responses import errors
from roofops.auth import roles
from roofops.auth.dependencies import require
from roofops.auth.principal import Principal
from roofops.db import DB
from roofops.dependencies import AppSettings
from roofops.integrations.core.endpoints import add_sync_routes
from roofops.integrations.jobnimbus.schemas_api import (
    ApiKeyIn,
    ConnectionOut,
    StatusMappingIn,
    StatusMappingOut,
)
from roofops.integrations.jobnimbus.service import jobnimbus_service, jobnimbus_sync

router = APIRouter(prefix="/integrations/jobnimbus", tags=["integrations: JobNimbus"])
add_sync_routes(router, jobnimbus_sync)
Viewer = Annotated[Principal, Depends(require(roles.VIEW_INTEGRATIONS))]
Admin = Annotated[Principal, Depends(require(roles.MANAGE_INTEGRATIONS))]


@router.get("", summary="The JobNimbus connection (never the key itself)")
def get_connection(db: DB, settings: AppSettings, _: Viewer) -> ConnectionOut:
    return ConnectionOut.model_validate(jobnimbus_service.view(db, settings))


@router.put(
    "/api-key",
    summary="Connect with an API key",
    description="The key is checked against JobNimbus first (422 when refused), then stored "
    "encrypted. Audited.",
    responses=errors(409),
)
def put_api_key(db: DB, settings: AppSettings, principal: Admin, body: ApiKeyIn) -> ConnectionOut:
    view = jobnimbus_service.connect(db, settings, principal, body.api_key, base_url=body.base_url)
    return ConnectionOut.model_validate(view)


@router.delete("/api-key", summary="Forget the stored API key (audited)")
def delete_api_key(db: DB, settings: AppSettings, principal: Admin) -> ConnectionOut:
    return ConnectionOut.model_validate(jobnimbus_service.disconnect(db, settings, principal))


@router.get("/status-map", summary="JobNimbus status -> job stage")
def get_status_map(db: DB, _: Viewer) -> list[StatusMappingOut]:
    return [StatusMappingOut.model_validate(row) for row in jobnimbus_service.status_mappings(db)]


@router.put(
    "/status-map",
    summary="Map one status (or remove it with stage null)",
    description="Applies from the next sync; run a full resync to re-map jobs already synced.",
)
def put_status_map(db: DB, principal: Admin, body: StatusMappingIn) -> list[StatusMappingOut]:
    jobnimbus_service.map_status(db, principal, body.status_name, body.stage)
    return [StatusMappingOut.model_validate(row) for row in jobnimbus_service.status_mappings(db)]
