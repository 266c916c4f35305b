"""JSON API of the operations dashboard: GET /api/v1/command-center."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from roofops.auth.dependencies import requires
from roofops.auth.permissions import Permission
from roofops.auth.principal import Principal
from roofops.company.service import company_service
from roofops.db import DB
from roofops.operations.schemas import OperationsOut
from roofops.operations.service import operations_service

router = APIRouter(tags=["operations"])
Reader = Annotated[Principal, Depends(requires(Permission.VIEW_JOBS))]


@router.get(
    "/command-center",
    summary="Today's operations: crews and their state, jobs in production, alerts, map points",
    description="Alerts about failed syncs need view_integrations; overdue invoice amounts need "
    "view_money (the count is shown to everyone).",
)
def command_center(
    db: DB,
    principal: Reader,
    day: Annotated[date | None, Query(description="company-local day; default today")] = None,
    branch_id: Annotated[uuid.UUID | None, Query(description="only this branch")] = None,
) -> OperationsOut:
    on = day or company_service.today(db)
    return OperationsOut.of(operations_service.snapshot(db, principal, on, branch_id))
