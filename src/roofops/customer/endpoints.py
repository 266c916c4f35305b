"""JSON API for customers and properties."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from roofops.api_paging import page_out, sorted_paging
from roofops.api_responses import errors
from roofops.auth.dependencies import requires
from roofops.auth.permissions import Permission
from roofops.auth.principal import Principal
from roofops.customer.schemas import (
    CustomerCreate,
    CustomerDetail,
    CustomerOut,
    CustomerUpdate,
    PropertyCreate,
    PropertyOut,
    PropertyUpdate,
)
from roofops.customer.service import CUSTOMER_SORTS, CustomerFilters, customer_service
from roofops.db import DB
from roofops.kit.paging import PageOut, PageRequest

router = APIRouter(tags=["customers"])
Reader = Annotated[Principal, Depends(requires(Permission.VIEW_JOBS))]
Editor = Annotated[Principal, Depends(requires(Permission.EDIT_CUSTOMERS))]


def customer_filters(
    q: Annotated[
        str | None, Query(max_length=200, description="searches name, e-mail, phone")
    ] = None,
    is_commercial: bool | None = None,
) -> CustomerFilters:
    return CustomerFilters(q=q, is_commercial=is_commercial)


@router.get(
    "/customers",
    summary="List customers",
    description=f"Sortable by: {', '.join(CUSTOMER_SORTS)} (default display_name).",
)
def list_customers(
    db: DB,
    _: Reader,
    paging: Annotated[PageRequest, Depends(sorted_paging(CUSTOMER_SORTS))],
    filters: Annotated[CustomerFilters, Depends(customer_filters)],
) -> PageOut[CustomerOut]:
    return page_out(customer_service.list(db, filters, paging), CustomerOut)


@router.post(
    "/customers",
    status_code=201,
    summary="Create a customer (with properties)",
    responses=errors(409),
)
def create_customer(db: DB, principal: Editor, body: CustomerCreate) -> CustomerDetail:
    return CustomerDetail.model_validate(customer_service.create(db, principal, body))


@router.get(
    "/customers/{customer_id}", summary="A customer and their properties", responses=errors(404)
)
def get_customer(db: DB, _: Reader, customer_id: uuid.UUID) -> CustomerDetail:
    return CustomerDetail.model_validate(customer_service.get(db, customer_id))


@router.patch(
    "/customers/{customer_id}", summary="Edit a customer (audited)", responses=errors(404, 409)
)
def update_customer(
    db: DB, principal: Editor, customer_id: uuid.UUID, body: CustomerUpdate
) -> CustomerDetail:
    customer = customer_service.update(db, principal, customer_id, body)
    return CustomerDetail.model_validate(customer)


@router.post(
    "/customers/{customer_id}/properties",
    status_code=201,
    summary="Add a property to a customer",
    responses=errors(404),
)
def add_property(
    db: DB, principal: Editor, customer_id: uuid.UUID, body: PropertyCreate
) -> PropertyOut:
    return PropertyOut.model_validate(
        customer_service.add_property(db, principal, customer_id, body)
    )


@router.get("/properties/{property_id}", summary="A property", responses=errors(404))
def get_property(db: DB, _: Reader, property_id: uuid.UUID) -> PropertyOut:
    return PropertyOut.model_validate(customer_service.get_property(db, property_id))


@router.patch(
    "/properties/{property_id}", summary="Edit a property (audited)", responses=errors(404)
)
def update_property(
    db: DB, principal: Editor, property_id: uuid.UUID, body: PropertyUpdate
) -> PropertyOut:
    prop = customer_service.update_property(db, principal, property_id, body)
    return PropertyOut.model_validate(prop)
