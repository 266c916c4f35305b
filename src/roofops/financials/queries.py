"""What the Profit page asks for and gets back: its filters and its rows (plain values)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from roofops.models.enums import JobType, MarginKind
from roofops.models.financials import JobFinancials
from roofops.models.job import Job


@dataclass(frozen=True)
class ProfitFilters:
    branch_id: uuid.UUID | None = None
    crew_id: uuid.UUID | None = None
    job_type: JobType | None = None
    sales_rep: str | None = None
    since: date | None = None
    until: date | None = None
    margin_below: Decimal | None = None
    kind: MarginKind | None = None  # which margin the jobs have: open, final, not sold
    q: str | None = None


@dataclass(frozen=True)
class ProfitRow:
    job: Job
    money: JobFinancials
    kind: MarginKind

    @property
    def margin(self) -> Decimal | None:
        """The margin that applies to the job (none while it is not sold)."""
        return self.money.margin(self.kind)
