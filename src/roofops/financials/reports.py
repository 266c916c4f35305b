"""Profitability across jobs: the dashboard's rows, totals, charts and CSV export."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.orm import Session

from roofops.financials.figures import COST_FIGURES, FIGURES
from roofops.financials.repository import FinancialsRepository, ProfitFilters
from roofops.financials.service import financials_service
from roofops.kit.money import from_cents
from roofops.kit.paging import Page, PageRequest
from roofops.models.financials import JobFinancials
from roofops.models.job import Job

# Upper bounds of the margin histogram's buckets; the last one is open-ended.
MARGIN_BUCKETS = (Decimal(0), Decimal("0.1"), Decimal("0.2"), Decimal("0.3"), Decimal("0.4"))


@dataclass(frozen=True)
class MarginGroup:
    key: str
    jobs: int
    contract_cents: int
    gross_profit_cents: int

    @property
    def margin(self) -> Decimal | None:
        return _margin(self.gross_profit_cents, self.contract_cents)


@dataclass(frozen=True)
class ProfitSummary:
    jobs: int
    jobs_with_figures: int
    contract_cents: int
    cost_cents: int
    gross_profit_cents: int
    margin: Decimal | None
    by_type: list[MarginGroup]
    by_month: list[MarginGroup]
    distribution: list[tuple[str, int]]
    sources: dict[str, int]


class ProfitReports:
    def page(
        self, db: Session, filters: ProfitFilters, request: PageRequest
    ) -> Page[tuple[Job, JobFinancials]]:
        financials_service.ensure_all(db)
        return FinancialsRepository(db).page(filters, request)

    def summary(self, db: Session, filters: ProfitFilters) -> ProfitSummary:
        financials_service.ensure_all(db)
        rows = FinancialsRepository(db).all_rows(filters)
        counted = [(job, row) for job, row in rows if row.gross_profit_cents is not None]
        contract = sum(row.contract_cents or 0 for _, row in counted)
        profit = sum(row.gross_profit_cents or 0 for _, row in counted)
        return ProfitSummary(
            jobs=len(rows),
            jobs_with_figures=len(counted),
            contract_cents=contract,
            cost_cents=contract - profit,
            gross_profit_cents=profit,
            margin=_margin(profit, contract),
            by_type=_groups(counted, lambda job: job.job_type.value),
            by_month=_groups(counted, lambda job: f"{job.created_at:%Y-%m}"),
            distribution=_distribution(row.margin for _, row in counted),
            sources=_sources(row for _, row in rows),
        )

    def csv(self, db: Session, filters: ProfitFilters) -> str:
        financials_service.ensure_all(db)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(_CSV_HEADER)
        for job, row in FinancialsRepository(db).all_rows(filters):
            writer.writerow(_csv_row(job, row))
        return out.getvalue()


_CSV_HEADER = [
    "job_number",
    "job_name",
    "job_type",
    "sales_rep",
    "created",
    *(f"{name}{suffix}" for name in FIGURES for suffix in ("", "_source")),
    "total_cost",
    "gross_profit",
    "margin_percent",
    "last_synced_at",
    "sync_error",
]


def _csv_row(job: Job, row: JobFinancials) -> list[str]:
    figures = [
        value for name in FIGURES for value in (_dollars(row.amount(name)), row.source(name).value)
    ]
    margin = "" if row.margin is None else f"{row.margin * 100:.1f}"
    return [
        job.number,
        job.name,
        job.job_type.value,
        job.sales_rep,
        f"{job.created_at:%Y-%m-%d}",
        *figures,
        _dollars(row.total_cost_cents),
        _dollars(row.gross_profit_cents),
        margin,
        row.last_synced_at.isoformat() if row.last_synced_at else "",
        row.sync_error,
    ]


def _dollars(cents: int | None) -> str:
    return "" if cents is None else str(from_cents(cents))


def _groups(
    rows: Sequence[tuple[Job, JobFinancials]], key_of: Callable[[Job], str]
) -> list[MarginGroup]:
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for job, row in rows:
        bucket = sums[key_of(job)]
        bucket[0] += 1
        bucket[1] += row.contract_cents or 0
        bucket[2] += row.gross_profit_cents or 0
    return [MarginGroup(key, *values) for key, values in sorted(sums.items())]


def _distribution(margins: Iterable[Decimal | None]) -> list[tuple[str, int]]:
    labels = ["below 0%", "0-10%", "10-20%", "20-30%", "30-40%", "40% and up"]
    counts = [0] * len(labels)
    for margin in margins:
        if margin is not None:
            counts[sum(1 for bound in MARGIN_BUCKETS if margin >= bound)] += 1
    return list(zip(labels, counts, strict=True))


def _sources(rows: Iterable[JobFinancials]) -> dict[str, int]:
    """How many figures come from each source, over every figure of every job."""
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        for name in ("contract", *COST_FIGURES):
            counts[row.source(name).value] += 1
    return dict(counts)


def _margin(profit: int, contract: int) -> Decimal | None:
    if not contract:
        return None
    return (Decimal(profit) / Decimal(contract)).quantize(Decimal("0.0001"), ROUND_HALF_UP)


profit_reports = ProfitReports()
