"""Which demo company a database holds, read once when the sandboxes are mounted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roofops.demo.generator import generate
from roofops.demo.records import DemoData
from roofops.models.company import CompanySettings


@dataclass(frozen=True)
class DemoCompany:
    """What regenerates the demo company exactly: the vendors' data is built from it."""

    size: float
    seed: int
    as_of: date

    def data(self) -> DemoData:
        return generate(self.size, self.seed, self.as_of)


def demo_company(db: Session) -> DemoCompany | None:
    """The database's demo company, or None for a real company (or none at all)."""
    company = db.scalar(sa.select(CompanySettings))
    if company is None or not company.is_demo:
        return None
    if company.demo_size is None or company.demo_seed is None or company.demo_as_of is None:
        return None
    return DemoCompany(float(company.demo_size), company.demo_seed, company.demo_as_of)
