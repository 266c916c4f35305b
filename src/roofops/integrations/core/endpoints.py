"""What every integration's routes share: request a sync, list its runs, read one run; and the
raw body a signed webhook delivery is verified on."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, status
from pydantic import BaseModel, ConfigDict, Field

from roofops.api_responses import errors
from roofops.auth.dependencies import requires
from roofops.auth.permissions import Permission
from roofops.auth.principal import Principal
from roofops.db import DB
from roofops.dependencies import AppSettings
from roofops.integrations.core.runner import VendorSync, request_sync
from roofops.integrations.core.runs import recent_runs, run_with_errors
from roofops.integrations.core.schemas import SyncRunDetail, SyncRunErrorOut, SyncRunOut


async def raw_body(request: Request) -> bytes:
    """The exact bytes a vendor signed (read here so that a webhook endpoint can stay sync)."""
    return await request.body()


RawBody = Annotated[bytes, Depends(raw_body)]
Viewer = Annotated[Principal, Depends(requires(Permission.VIEW_INTEGRATIONS))]
Syncer = Annotated[Principal, Depends(requires(Permission.RUN_SYNC))]


class SyncRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    full: bool = Field(default=False, description="re-read everything instead of what changed")


def add_sync_routes(router: APIRouter, sync: VendorSync[Any]) -> None:
    """``POST /sync``, ``GET /runs`` and ``GET /runs/{run_id}`` under the vendor's router."""

    @router.post(
        "/sync",
        status_code=status.HTTP_202_ACCEPTED,
        summary=f"Sync now from {sync.label}",
        description="Queues a sync (what changed since the last one, or everything with "
        "`full: true`) and returns its run: follow it at `runs/{id}` or live as "
        "`sync.progress` events on /api/v1/events. 409 while a sync runs or when nothing "
        "is connected.",
        responses=errors(409),
    )
    def post_sync(
        db: DB, settings: AppSettings, principal: Syncer, body: SyncRequest | None = None
    ) -> SyncRunOut:
        full = body.full if body is not None else False
        run = request_sync(db, settings, sync, full=full, triggered_by=principal.label)
        return SyncRunOut.model_validate(run)

    @router.get("/runs", summary="Recent sync runs, newest first")
    def list_runs(db: DB, _: Viewer) -> list[SyncRunOut]:
        return [SyncRunOut.model_validate(run) for run in recent_runs(db, sync.provider)]

    @router.get(
        "/runs/{run_id}",
        summary="One sync run with the records it could not take",
        responses=errors(404),
    )
    def get_run(db: DB, _: Viewer, run_id: uuid.UUID) -> SyncRunDetail:
        run, errors = run_with_errors(db, sync.provider, run_id)
        return SyncRunDetail(
            **SyncRunOut.model_validate(run).model_dump(),
            errors=[SyncRunErrorOut.model_validate(error) for error in errors],
        )
