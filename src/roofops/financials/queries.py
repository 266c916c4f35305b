"""What the Profit page asks for and gets back: its filters and its rows (plain values)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

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


@dataclass(frozen=True)
class GroupMargin:
    """One group's sold jobs of one margin kind; cost and profit only over the jobs that have
    them (a job with no cost figure has no profit)."""

    key: Any  # the job type, branch id, crew id or sales rep (None: not set)
    kind: MarginKind
    jobs: int
    contract_cents: int
    revenue_cents: int
    cost_cents: int
    profit_cents: int
