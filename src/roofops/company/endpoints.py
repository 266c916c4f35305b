"""JSON API for company settings and the price list."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends

from roofops.auth.dependencies import requires
from roofops.auth.permissions import Permission
from roofops.auth.principal import Principal
from roofops.company.schemas import (
    CompanyOut,
    CompanyUpdate,
    PriceList,
    PriceListEntryOut,
    PriceListOut,
)
from roofops.company.service import company_service
from roofops.db import DB
from roofops.models.company import PriceListEntry

router = APIRouter(prefix="/company", tags=["company"])
Reader = Annotated[Principal, Depends(requires(Permission.VIEW_COMPANY))]
Admin = Annotated[Principal, Depends(requires(Permission.EDIT_COMPANY))]
MoneyReader = Annotated[Principal, Depends(requires(Permission.VIEW_MONEY))]
PriceEditor = Annotated[Principal, Depends(requires(Permission.EDIT_PRICE_LIST))]


@router.get(
    "",
    summary="Company settings",
    description="Created with defaults (My Roofing Company, America/Denver, USD) on first read.",
)
def get_company(db: DB, _: Reader) -> CompanyOut:
    return CompanyOut.model_validate(company_service.get(db))


@router.patch("", summary="Edit company settings (audited)")
def update_company(db: DB, principal: Admin, body: CompanyUpdate) -> CompanyOut:
    return CompanyOut.model_validate(company_service.update(db, principal, body))


def _price_list_out(entries: Sequence[PriceListEntry]) -> PriceListOut:
    return PriceListOut(entries=[PriceListEntryOut.model_validate(entry) for entry in entries])


@router.get("/price-list", summary="Price per roofing square by job type and material")
def get_price_list(db: DB, _: MoneyReader) -> PriceListOut:
    return _price_list_out(company_service.price_list(db))


@router.put(
    "/price-list",
    summary="Replace the price list",
    description="The body is the whole list: pairs left out are removed. Prices are dollars.",
)
def put_price_list(db: DB, principal: PriceEditor, body: PriceList) -> PriceListOut:
    return _price_list_out(company_service.replace_price_list(db, principal, body.entries))
