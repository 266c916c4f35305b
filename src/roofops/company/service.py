"""The contractor's own settings and price list."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from roofops.audit.service import apply_changes, audit_service, change
from roofops.auth.principal import Principal
from roofops.company.repository import CompanyRepository, PriceListRepository
from roofops.company.schemas import CompanyUpdate, PriceListEntryIn
from roofops.financials.service import financials_service
from roofops.kit.money import to_cents
from roofops.models.company import SINGLETON_KEY, CompanySettings, PriceListEntry
from roofops.models.enums import JobStage, JobType, Material

DEFAULT_NAME = "My Roofing Company"
DEFAULT_TIME_ZONE = "America/Denver"
DEFAULT_CURRENCY = "USD"


class CompanyService:
    def get(self, db: Session) -> CompanySettings:
        """The company row, created with defaults the first time anyone asks."""
        companies = CompanyRepository(db)
        return companies.current() or companies.insert_once(
            CompanySettings(
                key=SINGLETON_KEY,
                name=DEFAULT_NAME,
                time_zone=DEFAULT_TIME_ZONE,
                currency=DEFAULT_CURRENCY,
                is_demo=False,
            )
        )

    def portal_invite_stage(self, db: Session) -> JobStage | None:
        """The stage at which a job's customer is sent their portal link (None: never). Read
        on every stage move, so it never creates the company row as ``get`` does."""
        company = CompanyRepository(db).current()
        return company.portal_invite_stage if company is not None else None

    def today(self, db: Session) -> date:
        """Today where the company works (dispatch plans and crews' days are on its calendar)."""
        return datetime.now(ZoneInfo(self.get(db).time_zone)).date()

    def update(self, db: Session, principal: Principal, data: CompanyUpdate) -> CompanySettings:
        company = self.get(db)
        changes = apply_changes(company, data.changes())
        audit_service.updated(db, principal, "company", SINGLETON_KEY, changes)
        db.flush()
        return company

    def price_list(self, db: Session) -> list[PriceListEntry]:
        return PriceListRepository(db).all()

    def replace_price_list(
        self, db: Session, principal: Principal, entries: Sequence[PriceListEntryIn]
    ) -> list[PriceListEntry]:
        """Make the price list exactly ``entries`` (one per job type and material)."""
        repository = PriceListRepository(db)
        old = _as_cents_map(repository.all())
        repository.delete_all()
        for entry in entries:
            repository.add(
                PriceListEntry(
                    job_type=entry.job_type,
                    material=entry.material,
                    price_per_square_cents=to_cents(entry.price_per_square),
                )
            )
        new = _as_cents_map(repository.all())
        if old != new:
            changes = {"price_per_square_cents": change(old, new)}
            audit_service.updated(db, principal, "price_list", SINGLETON_KEY, changes)
            financials_service.reprice(db)  # every estimate follows the new prices
        return repository.all()

    def price_per_square_cents(
        self, db: Session, job_type: JobType, material: Material
    ) -> int | None:
        for entry in self.price_list(db):
            if (entry.job_type, entry.material) == (job_type, material):
                return entry.price_per_square_cents
        return None


def _as_cents_map(entries: Sequence[PriceListEntry]) -> dict[str, int]:
    return {f"{e.job_type.value}/{e.material.value}": e.price_per_square_cents for e in entries}


company_service = CompanyService()
