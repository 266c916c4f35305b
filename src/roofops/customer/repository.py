"""Queries for customers and properties."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from roofops.kit.paging import Page, PageRequest, SortSpec
from roofops.kit.repository import Repository
from roofops.kit.search import matches_any
from roofops.models.customer import Customer
from roofops.models.property import Property


class CustomerRepository(Repository[Customer]):
    model = Customer

    def search(
        self, q: str | None, is_commercial: bool | None, page: PageRequest, sort: SortSpec
    ) -> Page[Customer]:
        statement = sa.select(Customer)
        if q:
            statement = statement.where(
                matches_any(q, Customer.display_name, Customer.email, Customer.phone)
            )
        if is_commercial is not None:
            statement = statement.where(Customer.is_commercial.is_(is_commercial))
        return self.paginate(statement, page, sort)

    def with_properties(self, customer_id: uuid.UUID) -> Customer | None:
        return self.session.scalar(
            sa.select(Customer)
            .options(selectinload(Customer.properties))
            .where(Customer.id == customer_id)
            .execution_options(populate_existing=True)
        )

    def by_email(self, email: str) -> Customer | None:
        return self.session.scalar(
            sa.select(Customer).where(sa.func.lower(Customer.email) == email.lower()).limit(1)
        )


class PropertyRepository(Repository[Property]):
    model = Property
