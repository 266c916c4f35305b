"""JSON API for the JobNimbus connection, its status and branch maps and its sync runs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from roofops.api_responses import errors
from roofops.auth.dependencies import requires
from roofops.auth.permissions import Permission
from roofops.auth.principal import Principal
from roofops.db import DB
from roofops.dependencies import AppSettings
from roofops.integrations.core.endpoints import add_sync_routes
from roofops.integrations.core.schemas import SyncRunOut
from roofops.integrations.jobnimbus.schemas_api import (
    ApiKeyIn,
    BranchMapOut,
    BranchMapSaveIn,
    BranchMapSaveOut,
    JobNimbusConnectionOut,
    StatusesOut,
    StatusMappingIn,
    StatusMappingOut,
    StatusMapSaveIn,
    StatusMapSaveOut,
)
from roofops.integrations.jobnimbus.service import (
    BranchChoice,
    Resync,
    jobnimbus_service,
    jobnimbus_sync,
)

router = APIRouter(prefix="/integrations/jobnimbus", tags=["integrations: JobNimbus"])
add_sync_routes(router, jobnimbus_sync)
Viewer = Annotated[Principal, Depends(requires(Permission.VIEW_INTEGRATIONS))]
Admin = Annotated[Principal, Depends(requires(Permission.MANAGE_INTEGRATIONS))]


@router.get("", summary="The JobNimbus connection (never the key itself)")
def get_connection(db: DB, settings: AppSettings, _: Viewer) -> JobNimbusConnectionOut:
    return JobNimbusConnectionOut.model_validate(jobnimbus_service.view(db, settings))


@router.put(
    "/api-key",
    summary="Connect with an API key",
    description="The key is checked against JobNimbus first (422 when refused), then stored "
    "encrypted. Audited.",
    responses=errors(409),
)
def put_api_key(
    db: DB, settings: AppSettings, principal: Admin, body: ApiKeyIn
) -> JobNimbusConnectionOut:
    view = jobnimbus_service.connect(db, settings, principal, body.api_key, base_url=body.base_url)
    return JobNimbusConnectionOut.model_validate(view)


@router.delete("/api-key", summary="Forget the stored API key (audited)")
def delete_api_key(db: DB, settings: AppSettings, principal: Admin) -> JobNimbusConnectionOut:
    return JobNimbusConnectionOut.model_validate(
        jobnimbus_service.disconnect(db, settings, principal)
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


@router.get(
    "/statuses",
    summary="The status map as an admin works on it",
    description="The account's workflows with the stage each status maps to (as the last sync "
    "read them from JobNimbus), the statuses seen in jobs and their history that are not "
    "mapped, and mapped names in none of the workflows.",
)
def get_statuses(db: DB, _: Viewer) -> StatusesOut:
    return StatusesOut.model_validate(jobnimbus_service.status_map_view(db))


@router.post(
    "/status-map/save-and-resync",
    summary="Map many statuses at once, then resync",
    description="Saves every mapping (stage null removes a status from the map), then queues a "
    "full resync that re-maps the jobs already synced. When no resync can start (one is "
    "running, nothing is connected) the map is still saved and `resync_refused` says why.",
)
def save_statuses(
    db: DB, settings: AppSettings, principal: Admin, body: StatusMapSaveIn
) -> StatusMapSaveOut:
    choices = [(mapping.status_name, mapping.stage) for mapping in body.mappings]
    resync = jobnimbus_service.save_statuses_and_resync(db, settings, principal, choices)
    mappings = [StatusMappingOut.model_validate(r) for r in jobnimbus_service.status_mappings(db)]
    return StatusMapSaveOut(mappings=mappings, **_resync_out(resync))


@router.get(
    "/branch-map",
    summary="JobNimbus location or sales rep -> branch",
    description="One mapping per location and sales rep the sync has seen. A job takes the "
    "branch of its location, else of its sales rep; when neither is mapped it keeps its own.",
)
def get_branch_map(db: DB, _: Viewer) -> BranchMapOut:
    return BranchMapOut.model_validate(jobnimbus_service.branch_map(db))


@router.post(
    "/branch-map/save-and-resync",
    summary="Set branches, then resync",
    description="Saves every mapping (branch_id null: leave the jobs' branch alone), then "
    "queues a full resync that gives the jobs already synced their branch. 422 for a location "
    "or rep the sync has not seen, or an unknown branch.",
)
def save_branches(
    db: DB, settings: AppSettings, principal: Admin, body: BranchMapSaveIn
) -> BranchMapSaveOut:
    choices = [BranchChoice(m.kind, m.external_id, m.branch_id) for m in body.mappings]
    resync = jobnimbus_service.save_branches_and_resync(db, settings, principal, choices)
    view = BranchMapOut.model_validate(jobnimbus_service.branch_map(db))
    return BranchMapSaveOut(mappings=view.mappings, **_resync_out(resync))


def _resync_out(resync: Resync) -> dict[str, object]:
    run = SyncRunOut.model_validate(resync.run) if resync.run is not None else None
    return {"run": run, "resync_refused": resync.refused}
