"""Queries for the company row and the price list."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from roofops.kit.repository import Repository
from roofops.models.company import SINGLETON_KEY, CompanySettings, PriceListEntry


class CompanyRepository(Repository[CompanySettings]):
    model = CompanySettings

    def current(self) -> CompanySettings | None:
        return self.session.get(CompanySettings, SINGLETON_KEY)

    def insert_once(self, company: CompanySettings) -> CompanySettings:
        """Insert the singleton; if a concurrent request got there first, return theirs."""
        try:
            with self.session.begin_nested():
                self.session.add(company)
        except IntegrityError:
            existing = self.current()
            if existing is None:
                raise
            return existing
        return company


class PriceListRepository(Repository[PriceListEntry]):
    model = PriceListEntry

    def all(self) -> list[PriceListEntry]:
        return list(
            self.session.scalars(
                sa.select(PriceListEntry).order_by(PriceListEntry.job_type, PriceListEntry.material)
            )
        )

    def delete_all(self) -> None:
        self.session.execute(sa.delete(PriceListEntry))
