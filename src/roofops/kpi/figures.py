"""Each KPI of one period from facts loaded once (roofops.kpi.repository): pure functions, so
thirteen periods of history cost no more queries than one.

Days are the company's: stage moves are turned into company-local dates before they get here.
"""

from __future__ import annotations

import statistics
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from roofops.financials.figures import margin_kind
from roofops.kpi.repository import ForecastMedian, JobMoney
from roofops.kpi.results import Grain, Period
from roofops.models.enums import JobStage, MarginKind
from roofops.report.repository import Receivable
from roofops.report.service import open_on

# Signed and not finished: the work the crews still have to build.
BACKLOG_STAGES = frozenset(
    {
        JobStage.CONTRACT_SIGNED,
        JobStage.MATERIALS_ORDERED,
        JobStage.SCHEDULED,
        JobStage.IN_PRODUCTION,
    }
)
FINALLY_BILLED = (JobStage.INVOICED, JobStage.PAID)


@dataclass(frozen=True)
class Figure:
    """One KPI of one period: None when there is nothing to measure."""

    value: float | None
    basis: str
    partial: bool = False  # the figure rests on jobs whose figures are not final yet
    source_shares: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Moves:
    """A job's stage moves as company-local days, oldest first."""

    days: tuple[tuple[JobStage, date], ...]

    def first(self, stage: JobStage) -> date | None:
        return next((day for to, day in self.days if to == stage), None)

    def last(self, stage: JobStage) -> date | None:
        return next((day for to, day in reversed(self.days) if to == stage), None)

    def stage_on(self, day: date) -> JobStage | None:
        """The stage the job was in at the end of ``day`` (None: not created yet)."""
        stage = None
        for to, moved in self.days:
            if moved > day:
                break
            stage = to
        return stage


@dataclass(frozen=True)
class Facts:
    as_of: date
    books: str | None  # the books' provider value, or None without books
    receivables: Sequence[Receivable]
    moves: Mapping[uuid.UUID, Moves]
    money: Sequence[JobMoney]
    medians: Sequence[ForecastMedian]
    now: datetime  # decides which jobs are final (figures.margin_kind)
    depreciation_now: int | None  # the depreciation report's total today
    crew_days_now: float | None  # the performance backlog's crew-days today


def revenue(facts: Facts, period: Period) -> Figure:
    items = _invoiced_in(facts, period)
    shares = _shares((_source(facts, item), item.total_cents) for item in items)
    total = sum(item.total_cents for item in items)
    return Figure(float(total), _count(len(items), "invoice"), source_shares=shares)


def gross_profit(facts: Facts, period: Period) -> Figure:
    final, pending = _billed_in(facts, period)
    if not final:
        return Figure(None, _billed_basis(final, pending), partial=bool(pending))
    profit = sum(job.actual_profit_cents or 0 for job in final)
    return Figure(float(profit), _billed_basis(final, pending), bool(pending), _money_shares(final))


def margin(facts: Facts, period: Period) -> Figure:
    final, pending = _billed_in(facts, period)
    profit = sum(job.actual_profit_cents or 0 for job in final)
    revenue_cents = sum(job.actual_revenue_cents or 0 for job in final)
    value = profit / revenue_cents * 100 if revenue_cents else None
    return Figure(value, _billed_basis(final, pending), bool(pending), _money_shares(final))


def backlog(facts: Facts, period: Period) -> Figure:
    day = min(period.end, facts.as_of)
    signed = [
        job
        for job in facts.money
        if (moves := facts.moves.get(job.job_id)) is not None
        and moves.stage_on(day) in BACKLOG_STAGES
    ]
    shares = _shares((job.contract_source.value, job.contract_cents or 0) for job in signed)
    total = sum(job.contract_cents or 0 for job in signed)
    return Figure(float(total), _count(len(signed), "signed job"), source_shares=shares)


def backlog_crew_days(facts: Facts, period: Period) -> Figure:
    if not _holds_today(facts, period) or facts.crew_days_now is None:
        return Figure(None, "known for today only")
    return Figure(facts.crew_days_now, "signed, unfinished jobs today")


def close_rate(facts: Facts, period: Period) -> Figure:
    won = lost = 0
    for moves in facts.moves.values():
        signed = moves.first(JobStage.CONTRACT_SIGNED)
        if signed is not None and _within(period, signed):
            won += 1
            continue
        lost_on = moves.last(JobStage.LOST)
        if (
            lost_on is not None
            and _within(period, lost_on)
            and (signed is None or signed > lost_on)
        ):
            lost += 1
    decided = won + lost
    value = won / decided * 100 if decided else None
    return Figure(value, f"{won} won of {_count(decided, 'sale')} decided")


def cycle_time(facts: Facts, period: Period) -> Figure:
    days = [
        (completed - moves.days[0][1]).days
        for moves in facts.moves.values()
        if (completed := moves.first(JobStage.COMPLETED)) is not None and _within(period, completed)
    ]
    value = float(statistics.median(days)) if days else None
    return Figure(value, _count(len(days), "job") + " completed")


def ar(facts: Facts, period: Period) -> Figure:
    items = open_on(facts.receivables, min(period.end, facts.as_of))
    shares = _shares((_source(facts, item), item.open_cents) for item in items)
    total = sum(item.open_cents for item in items)
    return Figure(float(total), _count(len(items), "open invoice"), source_shares=shares)


def depreciation_outstanding(facts: Facts, period: Period) -> Figure:
    if not _holds_today(facts, period) or facts.depreciation_now is None:
        return Figure(None, "known for today only")
    return Figure(float(facts.depreciation_now), "insurance jobs today")


def forecast_vs_actual(facts: Facts, period: Period) -> Figure:
    median = forecast_median(facts.medians, period)
    if median is None or not median.p50:
        return Figure(None, "no forecast made before the period began")
    actual = revenue(facts, period)
    value = (actual.value or 0) / median.p50 * 100
    basis = f"forecast of {median.run_as_of.isoformat()}: {median.p50 / 100:,.0f}"
    return Figure(value, basis, source_shares=actual.source_shares)


def forecast_median(medians: Iterable[ForecastMedian], period: Period) -> ForecastMedian | None:
    """The period's revenue median from the latest run made before the period began."""
    key = "revenue.week" if period.grain is Grain.WEEK else "revenue.month"
    before = [
        one
        for one in medians
        if one.series_key == key
        and one.period_start == period.start
        and one.run_as_of < period.start
    ]
    return max(before, key=lambda one: one.run_as_of, default=None)


FIGURES: dict[str, Callable[[Facts, Period], Figure]] = {
    "revenue": revenue,
    "gross_profit": gross_profit,
    "margin": margin,
    "backlog": backlog,
    "backlog_crew_days": backlog_crew_days,
    "close_rate": close_rate,
    "cycle_time": cycle_time,
    "ar": ar,
    "depreciation_outstanding": depreciation_outstanding,
    "forecast_vs_actual": forecast_vs_actual,
}


# ----- helpers -------------------------------------------------------------------------------
def _within(period: Period, day: date) -> bool:
    return period.start <= day <= period.end


def _holds_today(facts: Facts, period: Period) -> bool:
    return _within(period, facts.as_of)


def _invoiced_in(facts: Facts, period: Period) -> list[Receivable]:
    return [item for item in facts.receivables if item.dated and _within(period, item.dated)]


def _source(facts: Facts, item: Receivable) -> str:
    """ "roofops" for ours, the books' provider ("quickbooks", "xero") for theirs."""
    return item.source if item.source == "roofops" or facts.books is None else facts.books


def _billed_in(facts: Facts, period: Period) -> tuple[list[JobMoney], list[JobMoney]]:
    """The jobs finally billed in the period: (final ones, ones whose figures are not final)."""
    final: list[JobMoney] = []
    pending: list[JobMoney] = []
    for job in facts.money:
        billed = _billed_on(facts.moves.get(job.job_id), job.stage)
        if billed is None or not _within(period, billed):
            continue
        kind = margin_kind(job.stage, job.stage_changed_at, job.cost_to_date_cents, facts.now)
        (final if kind == MarginKind.ACTUAL else pending).append(job)
    return final, pending


def _billed_on(moves: Moves | None, stage: JobStage) -> date | None:
    """The day a finally billed job was billed: its last move to invoiced (to paid when it
    was never invoiced)."""
    if moves is None or stage not in FINALLY_BILLED:
        return None
    return moves.last(JobStage.INVOICED) or moves.last(JobStage.PAID)


def _billed_basis(final: Sequence[JobMoney], pending: Sequence[JobMoney]) -> str:
    basis = _count(len(final), "final job")
    return basis + (f", {len(pending)} billed not final yet" if pending else "")


def _money_shares(jobs: Iterable[JobMoney]) -> dict[str, float]:
    """The revenue and the costs of the jobs, by where each figure came from."""
    amounts: list[tuple[str, int]] = []
    for job in jobs:
        revenue_source = job.books_source if job.invoiced_cents else job.contract_source
        amounts.append(
            ((revenue_source or job.contract_source).value, job.actual_revenue_cents or 0)
        )
        amounts.extend((source.value, cents or 0) for cents, source in job.costs)
    return _shares(amounts)


def _shares(amounts: Iterable[tuple[str, int]]) -> dict[str, float]:
    sums: defaultdict[str, int] = defaultdict(int)
    for source, cents in amounts:
        sums[source] += abs(cents)
    total = sum(sums.values())
    return (
        {source: cents / total for source, cents in sorted(sums.items()) if cents} if total else {}
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
