"""Profitability across jobs: the Profit page's rows, totals, charts and CSV export.

Every total uses the definitions of roofops.financials.figures, summed in SQL: money totals are
over sold jobs only, and margins are never mixed: actual margins (final jobs) and projected
margins (open jobs) are summed and shown apart.
"""

from __future__ import annotations

import csv
import io
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from roofops.financials.figures import FIGURES, ratio
from roofops.financials.queries import GroupMargin, ProfitFilters, ProfitRow
from roofops.financials.repository import (
    MARGIN_BUCKETS,
    DataVersion,
    MarginFacts,
    ProfitRepository,
    SummaryFacts,
)
from roofops.kit.csv import safe_cell
from roofops.kit.money import from_cents
from roofops.kit.paging import Page, PageRequest
from roofops.kit.time import utcnow
from roofops.models.enums import MarginKind

BAND_LABELS = ("below 0%", "0-10%", "10-20%", "20-30%", "30-40%", "40% and up")
assert len(BAND_LABELS) == len(MARGIN_BUCKETS) + 1


@dataclass(frozen=True)
class MarginGroup:
    key: str
    kind: MarginKind
    jobs: int
    revenue_cents: int
    profit_cents: int

    @property
    def margin(self) -> Decimal | None:
        return ratio(self.profit_cents, self.revenue_cents)


@dataclass(frozen=True)
class ProfitSummary:
    jobs: int  # every job the filters match
    sold: int  # of which sold (contract signed, not lost or cancelled): the money totals' jobs
    contract_cents: int
    invoiced_cents: int
    paid_cents: int
    balance_cents: int
    cost_to_date_cents: int
    actual: MarginGroup  # final jobs: actual margin
    projected: MarginGroup  # open jobs: projected margin
    by_type: list[MarginGroup]
    by_month: list[MarginGroup]
    distribution: list[tuple[str, int, int]]  # (band, final jobs, open jobs)
    sources: dict[str, int]


class ProfitReports:
    def page(
        self,
        db: Session,
        filters: ProfitFilters,
        request: PageRequest,
        *,
        now: datetime | None = None,
    ) -> Page[ProfitRow]:
        return ProfitRepository(db, now or utcnow()).page(filters, request)

    def page_with_summary(
        self, db: Session, filters: ProfitFilters, request: PageRequest
    ) -> tuple[Page[ProfitRow], ProfitSummary]:
        """The Profit page: one page of rows and the summary of all of them, at one instant
        (the summary's job count is the page's total)."""
        now = utcnow()
        summary = self.summary(db, filters, now=now)
        rows = ProfitRepository(db, now).page(filters, request, total=summary.jobs)
        return rows, summary

    def summary(
        self, db: Session, filters: ProfitFilters, *, now: datetime | None = None
    ) -> ProfitSummary:
        facts = _summaries.facts(ProfitRepository(db, now or utcnow()), filters)
        totals = facts.totals
        overall = {group.kind: group for group in _groups(facts.margins["all"])}
        return ProfitSummary(
            jobs=totals["jobs"],
            sold=totals["sold"],
            contract_cents=totals["contract"],
            invoiced_cents=totals["invoiced"],
            paid_cents=totals["paid"],
            balance_cents=totals["balance"],
            cost_to_date_cents=totals["cost_to_date"],
            actual=overall.get(MarginKind.ACTUAL, _empty(MarginKind.ACTUAL)),
            projected=overall.get(MarginKind.PROJECTED, _empty(MarginKind.PROJECTED)),
            by_type=_sorted_groups(facts.margins["job_type"]),
            by_month=_sorted_groups(facts.margins["month"]),
            distribution=_bands(facts.bands),
            sources=facts.sources,
        )

    def margins_by(
        self, db: Session, filters: ProfitFilters, grouping: str, *, now: datetime | None = None
    ) -> list[GroupMargin]:
        """The sold jobs' margins per job type, branch, crew or sales rep, actual and projected
        apart (the financial reports' margins; the same kinds and revenue as this page)."""
        return ProfitRepository(db, now or utcnow()).margins_by(filters, grouping)

    def rows(
        self, db: Session, filters: ProfitFilters, *, now: datetime | None = None
    ) -> Iterator[ProfitRow]:
        """Every filtered job with its money and margin kind, oldest first (all pages)."""
        return ProfitRepository(db, now or utcnow()).all_rows(filters)

    def csv(self, db: Session, filters: ProfitFilters, *, now: datetime | None = None) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(CSV_HEADER)
        for row in ProfitRepository(db, now or utcnow()).all_rows(filters):
            writer.writerow(_csv_row(row))
        return out.getvalue()


SummaryKey = tuple[str, ProfitFilters]  # (database, filters)


class SummaryCache:
    """The latest summaries, each reused while the data it summed is unchanged.

    The summary reads every filtered job (a fifth of a second at 30,000 jobs) and the Profit
    page is opened far more often than money changes. A reuse first reads the data's version
    (ProfitRepository.version: counts and latest edits, in one indexed statement) in the same
    transaction, so a page never shows sums older than the rows beside them. Views that miss
    together wait for one of them to sum instead of all summing at once. A search by name is
    not kept: it also reads customers, whose renames the version does not see.
    """

    def __init__(self, entries: int = 32) -> None:
        self._entries: OrderedDict[SummaryKey, tuple[DataVersion, SummaryFacts]] = OrderedDict()
        self._summing: dict[SummaryKey, threading.Lock] = {}
        self._size = entries
        self._lock = threading.Lock()

    def facts(self, repository: ProfitRepository, filters: ProfitFilters) -> SummaryFacts:
        if filters.q:
            return repository.summary(filters)
        key = (str(repository.session.get_bind().engine.url), filters)
        version = repository.version()
        kept = self._kept(key, version)
        if kept is not None:
            return kept
        with self._lock:
            summing = self._summing.setdefault(key, threading.Lock())
        with summing:
            kept = self._kept(key, version)  # summed by the view this one waited for
            if kept is not None:
                return kept
            facts = repository.summary(filters)
            self._keep(key, version, facts)
        return facts

    def _kept(self, key: SummaryKey, version: DataVersion) -> SummaryFacts | None:
        with self._lock:
            kept = self._entries.get(key)
        return kept[1] if kept is not None and kept[0].covers(version) else None

    def _keep(self, key: SummaryKey, version: DataVersion, facts: SummaryFacts) -> None:
        with self._lock:
            self._entries[key] = (version, facts)
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                evicted, _ = self._entries.popitem(last=False)
                self._summing.pop(evicted, None)


_summaries = SummaryCache()


def _sorted_groups(rows: Iterable[MarginFacts]) -> list[MarginGroup]:
    return sorted(_groups(rows), key=lambda group: (group.key, group.kind))


def _groups(rows: Iterable[MarginFacts]) -> Iterator[MarginGroup]:
    for key, kind, jobs, revenue, profit in rows:
        yield MarginGroup(key, MarginKind(kind), jobs, revenue, profit)


def _empty(kind: MarginKind) -> MarginGroup:
    return MarginGroup("all", kind, 0, 0, 0)


def _bands(rows: Iterable[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    counts = {(kind, index): count for kind, index, count in rows}
    return [
        (
            label,
            counts.get((MarginKind.ACTUAL.value, index), 0),
            counts.get((MarginKind.PROJECTED.value, index), 0),
        )
        for index, label in enumerate(BAND_LABELS)
    ]


CSV_HEADER = [
    "job_number",
    "job_name",
    "job_type",
    "stage",
    "sales_rep",
    "created",
    *(f"{name}{suffix}" for name in FIGURES for suffix in ("", "_source")),
    "invoiced",
    "paid",
    "balance",
    "cost_to_date",
    "projected_cost",
    "margin_kind",
    "margin_percent",
    "last_synced_at",
    "sync_error",
]


def _csv_row(row: ProfitRow) -> list[str]:
    job, money = row.job, row.money
    figures = [
        value
        for name in FIGURES
        for value in (_dollars(money.amount(name)), money.source(name).value)
    ]
    return [
        job.number,
        safe_cell(job.name),
        job.job_type.value,
        job.stage.value,
        safe_cell(job.sales_rep),
        f"{job.created_at:%Y-%m-%d}",
        *figures,
        _dollars(money.invoiced_cents),
        _dollars(money.paid_cents),
        _dollars(money.balance_cents),
        _dollars(money.cost_to_date_cents),
        _dollars(money.projected_cost_cents),
        row.kind.value,
        "" if row.margin is None else f"{row.margin * 100:.1f}",
        money.last_synced_at.isoformat() if money.last_synced_at else "",
        safe_cell(money.sync_error),
    ]


def _dollars(cents: int | None) -> str:
    return "" if cents is None else str(from_cents(cents))


profit_reports = ProfitReports()
