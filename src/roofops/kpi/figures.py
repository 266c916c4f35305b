"""Each KPI of one period from a ledger of the company's facts by day, built once per data
version (roofops.kpi.service keeps it): a period's figure sums at most 31 days, and a balance
at a day is one bisection, so thirteen periods of history cost next to nothing.

Pure: no database. Days are the company's: stage moves are turned into company-local dates
before they get here.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from roofops.financials.figures import margin_kind
from roofops.kpi.repository import ForecastMedian, JobKey, JobMoney
from roofops.kpi.results import Grain, Period
from roofops.models.enums import JobStage, MarginKind
from roofops.performance import measures
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
COUNT = "#"  # the key a ledger counts rows under, beside the amounts by source


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

    days: tuple[tuple[str, date], ...]  # (a JobStage value, the day it moved there)

    def first(self, stage: JobStage) -> date | None:
        return next((day for to, day in self.days if to == stage), None)

    def last(self, stage: JobStage) -> date | None:
        return next((day for to, day in reversed(self.days) if to == stage), None)

    def backlog_spells(self) -> Iterator[tuple[date, date | None]]:
        """The days the job was in backlog: (the day it entered, the day it left or None)."""
        entered: date | None = None
        for to, day in self.days:
            if to in BACKLOG_STAGES and entered is None:
                entered = day
            elif to not in BACKLOG_STAGES and entered is not None:
                yield entered, day
                entered = None
        if entered is not None:
            yield entered, None


class Daily:
    """Amounts by key per day (a flow): what a period holds is the sum of its days."""

    def __init__(self) -> None:
        self._days: defaultdict[date, defaultdict[str, int]] = defaultdict(lambda: defaultdict(int))

    def add(self, day: date, key: str, amount: int, count: int = 1) -> None:
        """``count``: how many rows the amount adds (0 for a second amount of the same row)."""
        self._days[day][key] += amount
        self._days[day][COUNT] += count

    def over(self, period: Period) -> dict[str, int]:
        sums: defaultdict[str, int] = defaultdict(int)
        for day in _days(period):
            for key, amount in self._days.get(day, {}).items():
                sums[key] += amount
        return dict(sums)


class Balance:
    """Amounts by key that rise and fall on days (a stock): what it holds at the end of a day
    is the sum of the changes up to it, one bisection away."""

    def __init__(self, changes: Iterable[tuple[date, str, int]]) -> None:
        totals: defaultdict[str, int] = defaultdict(int)
        self._days: list[date] = []
        self._totals: list[dict[str, int]] = []
        for day, key, delta in sorted(changes, key=lambda change: change[0]):
            totals[key] += delta
            if self._days and self._days[-1] == day:
                self._totals[-1] = dict(totals)
            else:
                self._days.append(day)
                self._totals.append(dict(totals))

    def at(self, day: date) -> dict[str, int]:
        index = bisect.bisect_right(self._days, day)
        return self._totals[index - 1] if index else {}


@dataclass(frozen=True)
class Ledger:
    """The company's facts by day, as known on ``as_of``."""

    as_of: date
    revenue: Daily  # invoice totals by source, by invoice date
    receivables: Balance  # open balances by source, from the invoice date on
    final_money: Daily  # final jobs by billed day: "profit", "revenue" and their sources
    pending: Daily  # jobs billed whose figures are not final yet, by billed day
    backlog: Balance  # contract amounts by source, while in backlog
    won: Daily
    lost: Daily
    cycle_days: Mapping[date, Sequence[int]]  # lead-to-completed days, by completion day
    medians: Mapping[tuple[str, date], ForecastMedian]  # latest before the period, by period
    depreciation_now: int | None  # the depreciation report's total today
    crew_days_now: float | None  # the performance backlog's crew-days today


def build_ledger(
    *,
    as_of: date,
    books: str | None,
    receivables: Sequence[Receivable],
    moves: Mapping[JobKey, Moves],
    money: Sequence[JobMoney],
    medians: Iterable[ForecastMedian],
    now: datetime,
    today: tuple[int | None, float | None],
) -> Ledger:
    """``now`` decides which jobs are final (figures.margin_kind); ``today`` is the
    depreciation outstanding and the backlog's crew-days now."""
    won, lost = _decisions(moves)
    final_money, pending = _billed(moves, money, now)
    return Ledger(
        as_of=as_of,
        revenue=_revenue(books, receivables),
        receivables=_receivables(books, receivables, as_of),
        final_money=final_money,
        pending=pending,
        backlog=_backlog(moves, money),
        won=won,
        lost=lost,
        cycle_days=_cycle_days(moves),
        medians=_latest_medians(medians),
        depreciation_now=today[0],
        crew_days_now=today[1],
    )


# ----- the KPIs ------------------------------------------------------------------------------
def revenue(ledger: Ledger, period: Period) -> Figure:
    sums = ledger.revenue.over(period)
    count = sums.pop(COUNT, 0)
    return Figure(float(sum(sums.values())), _count(count, "invoice"), source_shares=_shares(sums))


def gross_profit(ledger: Ledger, period: Period) -> Figure:
    sums, basis, pending = _final(ledger, period)
    if not sums.get(COUNT):
        return Figure(None, basis, partial=pending)
    return Figure(float(sums["profit"]), basis, pending, _source_shares(sums))


def margin(ledger: Ledger, period: Period) -> Figure:
    sums, basis, pending = _final(ledger, period)
    revenue_cents = sums.get("revenue", 0)
    value = sums.get("profit", 0) / revenue_cents * 100 if revenue_cents else None
    return Figure(value, basis, pending, _source_shares(sums))


def backlog(ledger: Ledger, period: Period) -> Figure:
    held = dict(ledger.backlog.at(min(period.end, ledger.as_of)))
    count = held.pop(COUNT, 0)
    return Figure(
        float(sum(held.values())), _count(count, "signed job"), source_shares=_shares(held)
    )


def backlog_crew_days(ledger: Ledger, period: Period) -> Figure:
    if not _holds(period, ledger.as_of) or ledger.crew_days_now is None:
        return Figure(None, "known for today only")
    return Figure(ledger.crew_days_now, "signed, unfinished jobs today")


def close_rate(ledger: Ledger, period: Period) -> Figure:
    won = ledger.won.over(period).get(COUNT, 0)
    lost = ledger.lost.over(period).get(COUNT, 0)
    rate = measures.close_rate(won, lost)
    return Figure(
        None if rate is None else rate * 100, f"{won} won of {_count(won + lost, 'sale')} decided"
    )


def cycle_time(ledger: Ledger, period: Period) -> Figure:
    days = [one for day in _days(period) for one in ledger.cycle_days.get(day, ())]
    return Figure(measures.median(days), _count(len(days), "job") + " completed")


def ar(ledger: Ledger, period: Period) -> Figure:
    held = dict(ledger.receivables.at(min(period.end, ledger.as_of)))
    count = held.pop(COUNT, 0)
    return Figure(
        float(sum(held.values())), _count(count, "open invoice"), source_shares=_shares(held)
    )


def depreciation_outstanding(ledger: Ledger, period: Period) -> Figure:
    if not _holds(period, ledger.as_of) or ledger.depreciation_now is None:
        return Figure(None, "known for today only")
    return Figure(float(ledger.depreciation_now), "insurance jobs today")


def forecast_vs_actual(ledger: Ledger, period: Period) -> Figure:
    key = "revenue.week" if period.grain is Grain.WEEK else "revenue.month"
    median = ledger.medians.get((key, period.start))
    if median is None or not median.p50:
        return Figure(None, "no forecast made before the period began")
    actual = revenue(ledger, period)
    value = (actual.value or 0) / median.p50 * 100
    basis = f"forecast of {median.run_as_of.isoformat()}: ${median.p50 / 100:,.0f}"
    return Figure(value, basis, source_shares=actual.source_shares)


FIGURES: dict[str, Callable[[Ledger, Period], Figure]] = {
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


# ----- building the ledger -------------------------------------------------------------------
def _source(books: str | None, item: Receivable) -> str:
    """ "roofops" for ours, the books' provider ("quickbooks", "xero") for theirs."""
    return item.source if item.source == "roofops" or books is None else books


def _revenue(books: str | None, receivables: Iterable[Receivable]) -> Daily:
    daily = Daily()
    for item in receivables:
        if item.dated is not None:
            daily.add(item.dated, _source(books, item), item.total_cents)
    return daily


def _receivables(books: str | None, receivables: Sequence[Receivable], as_of: date) -> Balance:
    """AR as the aging report reads it: balances open now, from their invoice's date on."""
    return Balance(
        change
        for item in open_on(receivables, as_of)
        if item.dated is not None
        for change in ((item.dated, _source(books, item), item.open_cents), (item.dated, COUNT, 1))
    )


def _billed(
    moves: Mapping[JobKey, Moves], money: Iterable[JobMoney], now: datetime
) -> tuple[Daily, Daily]:
    final, pending = Daily(), Daily()
    for job in money:
        billed = _billed_on(moves.get(job.job_id), job.stage)
        if billed is None:
            continue
        if margin_kind(job.stage, job.stage_changed_at, job.cost_to_date_cents, now) is (
            MarginKind.ACTUAL
        ):
            _add_final(final, billed, job)
        else:
            pending.add(billed, "jobs", 1)
    return final, pending


def _add_final(daily: Daily, day: date, job: JobMoney) -> None:
    daily.add(day, "profit", job.actual_profit_cents or 0)
    daily.add(day, "revenue", job.actual_revenue_cents or 0, count=0)
    for key, amount in _figure_sources(job):
        daily.add(day, key, amount, count=0)


def _figure_sources(job: JobMoney) -> Iterator[tuple[str, int]]:
    """The job's revenue and costs by where each figure came from ("source:<name>")."""
    revenue_source = job.books_source if job.invoiced_cents else None
    yield f"source:{(revenue_source or job.contract_source).value}", job.actual_revenue_cents or 0
    for cents, source in job.costs:
        yield f"source:{source.value}", abs(cents or 0)


def _billed_on(moves: Moves | None, stage: JobStage) -> date | None:
    """The day a finally billed job was billed: its last move to invoiced (to paid when it
    was never invoiced)."""
    if moves is None or stage not in FINALLY_BILLED:
        return None
    return moves.last(JobStage.INVOICED) or moves.last(JobStage.PAID)


def _backlog(moves: Mapping[JobKey, Moves], money: Iterable[JobMoney]) -> Balance:
    contracts = {job.job_id: job for job in money}
    changes: list[tuple[date, str, int]] = []
    for job_id, job_moves in moves.items():
        job = contracts.get(job_id)
        if job is None:
            continue
        source, cents = job.contract_source.value, job.contract_cents or 0
        for entered, left in job_moves.backlog_spells():
            changes += [(entered, source, cents), (entered, COUNT, 1)]
            if left is not None:
                changes += [(left, source, -cents), (left, COUNT, -1)]
    return Balance(changes)


def _decisions(moves: Mapping[JobKey, Moves]) -> tuple[Daily, Daily]:
    """Won: the first move to contract signed; lost: a move to lost before any signature."""
    won, lost = Daily(), Daily()
    for job_moves in moves.values():
        signed = job_moves.first(JobStage.CONTRACT_SIGNED)
        lost_on = job_moves.last(JobStage.LOST)
        if signed is not None:
            won.add(signed, "jobs", 1)
        if lost_on is not None and (signed is None or signed > lost_on):
            lost.add(lost_on, "jobs", 1)
    return won, lost


def _cycle_days(moves: Mapping[JobKey, Moves]) -> dict[date, list[int]]:
    days: defaultdict[date, list[int]] = defaultdict(list)
    for job_moves in moves.values():
        completed = job_moves.first(JobStage.COMPLETED)
        if completed is not None:
            days[completed].append((completed - job_moves.days[0][1]).days)
    return dict(days)


def _latest_medians(
    medians: Iterable[ForecastMedian],
) -> dict[tuple[str, date], ForecastMedian]:
    """Per (series, period): the median of the latest run made before the period began."""
    latest: dict[tuple[str, date], ForecastMedian] = {}
    for one in medians:
        key = (one.series_key, one.period_start)
        if one.run_as_of < one.period_start and (
            key not in latest or latest[key].run_as_of < one.run_as_of
        ):
            latest[key] = one
    return latest


# ----- helpers -------------------------------------------------------------------------------
def _days(period: Period) -> Iterator[date]:
    day = period.start
    while day <= period.end:
        yield day
        day += timedelta(days=1)


def _holds(period: Period, day: date) -> bool:
    return period.start <= day <= period.end


def _final(ledger: Ledger, period: Period) -> tuple[dict[str, int], str, bool]:
    sums = ledger.final_money.over(period)
    waiting = ledger.pending.over(period).get(COUNT, 0)
    basis = _count(sums.get(COUNT, 0), "final job")
    return sums, basis + (f", {waiting} billed not final yet" if waiting else ""), bool(waiting)


def _source_shares(sums: Mapping[str, int]) -> dict[str, float]:
    prefix = "source:"
    return _shares({k[len(prefix) :]: v for k, v in sums.items() if k.startswith(prefix)})


def _shares(amounts: Mapping[str, int]) -> dict[str, float]:
    positive = {source: abs(cents) for source, cents in amounts.items() if cents}
    total = sum(positive.values())
    return {source: cents / total for source, cents in sorted(positive.items())} if total else {}


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
