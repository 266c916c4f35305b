"""JSON API for the JobNimbus connection, its status map and its sync runs."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, status

from roofops.auth import roles
from roofops.auth.dependencies import require
from roofops.auth.principal import Principal
from roofops.config import Settings
from roofops.db import DB
from roofops.integrations.core.schemas import SyncQueued, SyncRunDetail, SyncRunErrorOut, SyncRunOut
from roofops.integrations.jobnimbus.schemas_api import (
    ApiKeyIn,
    ConnectionOut,
    StatusMappingIn,
    StatusMappingOut,
    SyncRequest,
)
from roofops.integrations.jobnimbus.service import jobnimbus_service

router = APIRouter(prefix="/integrations/jobnimbus", tags=["integrations: JobNimbus"])
Viewer = Annotated[Principal, Depends(require(roles.VIEW_INTEGRATIONS))]
Syncer = Annotated[Principal, Depends(require(roles.RUN_SYNC))]
Admin = Annotated[Principal, Depends(require(roles.MANAGE_INTEGRATIONS))]


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


AppSettings = Annotated[Settings, Depends(_settings)]


@router.get("", summary="The JobNimbus connection (never the key itself)")
def get_connection(db: DB, settings: AppSettings, _: Viewer) -> ConnectionOut:
    return ConnectionOut.model_validate(jobnimbus_service.view(db, settings))


@router.put(
    "/api-key",
    summary="Connect with an API key",
    description="The key is checked against JobNimbus first (422 when refused), then stored "
    "encrypted. Audited.",
)
def put_api_key(db: DB, settings: AppSettings, principal: Admin, body: ApiKeyIn) -> ConnectionOut:
    view = jobnimbus_service.connect(db, settings, principal, body.api_key, base_url=body.base_url)
    return ConnectionOut.model_validate(view)


@router.delete("/api-key", summary="Forget the stored API key (audited)")
def delete_api_key(db: DB, settings: AppSettings, principal: Admin) -> ConnectionOut:
    return ConnectionOut.model_validate(jobnimbus_service.disconnect(db, settings, principal))


@router.post(
    "/sync",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Sync now",
    description="Queues a sync (incremental, or full with `full: true`). Follow it in the runs "
    "list or live as `sync.progress` events on /api/v1/events.",
)
def post_sync(db: DB, principal: Syncer, body: SyncRequest) -> SyncQueued:
    jobnimbus_service.queue_sync(db, full=body.full, triggered_by=principal.label)
    kind = "full resync" if body.full else "sync"
    return SyncQueued(detail=f"JobNimbus {kind} queued")


@router.get("/runs", summary="Recent sync runs, newest first")
def list_runs(db: DB, _: Viewer) -> list[SyncRunOut]:
    return [SyncRunOut.model_validate(run) for run in jobnimbus_service.runs(db)]


@router.get("/runs/{run_id}", summary="One sync run with the records it could not take")
def get_run(db: DB, _: Viewer, run_id: uuid.UUID) -> SyncRunDetail:
    run, errors = jobnimbus_service.run(db, run_id)
    return SyncRunDetail(
        **SyncRunOut.model_validate(run).model_dump(),
        errors=[SyncRunErrorOut.model_validate(error) for error in errors],
    )


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
