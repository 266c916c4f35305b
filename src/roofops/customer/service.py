"""Customers and their properties: search, create, edit (audited)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from roofops.audit.service import apply_changes, audit_service
from roofops.auth.principal import Principal
from roofops.customer.repository import CustomerRepository, PropertyRepository
from roofops.customer.schemas import CustomerCreate, CustomerUpdate, PropertyCreate, PropertyUpdate
from roofops.exceptions import Conflict
from roofops.kit.paging import Page, PageRequest, parse_sort
from roofops.kit.repository import found
from roofops.models.customer import Customer
from roofops.models.property import Property

CUSTOMER_SORTS = ("display_name", "created_at", "updated_at")


@dataclass(frozen=True)
class CustomerFilters:
    q: str | None = None
    is_commercial: bool | None = None


class CustomerService:
    def list(self, db: Session, filters: CustomerFilters, page: PageRequest) -> Page[Customer]:
        sort = parse_sort(page.sort, CUSTOMER_SORTS, "display_name")
        return CustomerRepository(db).search(filters.q, filters.is_commercial, page, sort)

    def get(self, db: Session, customer_id: uuid.UUID) -> Customer:
        """The customer with its properties loaded."""
        return found(CustomerRepository(db).with_properties(customer_id), "customer")

    def create(self, db: Session, principal: Principal, data: CustomerCreate) -> Customer:
        self._ensure_email_free(db, data.email)
        customer = CustomerRepository(db).add(Customer(**data.model_dump(exclude={"properties"})))
        for prop in data.properties:
            PropertyRepository(db).add(Property(customer_id=customer.id, **prop.model_dump()))
        audit_service.created(db, principal, "customer", customer.id)
        return self.get(db, customer.id)

    def update(
        self, db: Session, principal: Principal, customer_id: uuid.UUID, data: CustomerUpdate
    ) -> Customer:
        customer = self.get(db, customer_id)
        values = data.changes()
        if values.get("email") and values["email"] != customer.email:
            self._ensure_email_free(db, values["email"])
        audit_service.updated(
            db, principal, "customer", customer.id, apply_changes(customer, values)
        )
        db.flush()
        return self.get(db, customer_id)

    def _ensure_email_free(self, db: Session, email: str) -> None:
        existing = CustomerRepository(db).by_email(email) if email else None
        if existing is not None:
            raise Conflict(
                f"customer '{existing.display_name}' already has e-mail {email}",
                field="email",
                customer_id=str(existing.id),
            )

    def get_property(self, db: Session, property_id: uuid.UUID) -> Property:
        return found(self.find_property(db, property_id), "property")

    def find_property(self, db: Session, property_id: uuid.UUID) -> Property | None:
        return PropertyRepository(db).get(property_id)

    def add_property(
        self, db: Session, principal: Principal, customer_id: uuid.UUID, data: PropertyCreate
    ) -> Property:
        customer = self.get(db, customer_id)
        prop = PropertyRepository(db).add(Property(customer_id=customer.id, **data.model_dump()))
        audit_service.created(db, principal, "property", prop.id)
        return prop

    def update_property(
        self, db: Session, principal: Principal, property_id: uuid.UUID, data: PropertyUpdate
    ) -> Property:
        prop = self.get_property(db, property_id)
        audit_service.updated(
            db, principal, "property", prop.id, apply_changes(prop, data.changes())
        )
        db.flush()
        return prop


customer_service = CustomerService()
