"""JSON API of the executive KPIs: the registry, and a period's values (money KPIs only for
roles with view_money)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from roofops.auth.dependencies import requires
from roofops.auth.permissions import Permission
from roofops.auth.principal import Principal
from roofops.db import DB
from roofops.kit.schemas import IsoDate
from roofops.kpi.registry import KPIS
from roofops.kpi.results import Grain
from roofops.kpi.schemas import ExecutiveOut, KpiDefinitionOut
from roofops.kpi.service import kpi_service

router = APIRouter(prefix="/executive", tags=["executive"])
Reader = Annotated[Principal, Depends(requires(Permission.VIEW_EXECUTIVE))]


@router.get("/registry", summary="Every KPI: definition, formula, sources and aggregation")
def registry(_principal: Reader) -> list[KpiDefinitionOut]:
    return [KpiDefinitionOut.of(kpi) for kpi in KPIS]


@router.get("/kpis", summary="The KPIs of a week or month, with comparisons and history")
def kpis(
    db: DB,
    principal: Reader,
    grain: Annotated[Grain, Query(description="month or week")] = Grain.MONTH,
    period: Annotated[
        IsoDate | None, Query(description="any day of the period, YYYY-MM-DD (default: today)")
    ] = None,
) -> ExecutiveOut:
    today = kpi_service.today(db)
    day: date = period or today
    chosen = kpi_service.period_containing(day, grain)
    return ExecutiveOut.of(kpi_service.view(db, principal.role, chosen, today))
