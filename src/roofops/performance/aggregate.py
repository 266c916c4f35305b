"""Figures from records: per crew, per sales rep, per stage, the backlog. Pure."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import TypeVar

from roofops.job.lifecycle import PIPELINE
from roofops.models.enums import JobStage
from roofops.performance import measures
from roofops.performance.records import BacklogJob, CompletedJob, SalesJob
from roofops.performance.results import (
    Backlog,
    CrewPerformance,
    Margin,
    RepPerformance,
    StageCycleTime,
)
from roofops.performance.timeline import Visit

T = TypeVar("T")
K = TypeVar("K")
# Stages a job leaves in the normal course of work: paid, lost and cancelled end the pipeline.
CYCLE_STAGES = tuple(stage for stage in PIPELINE if stage != JobStage.PAID)


def grouped(items: Iterable[T], key: Callable[[T], K]) -> dict[K, list[T]]:
    groups: dict[K, list[T]] = defaultdict(list)
    for item in items:
        groups[key(item)].append(item)
    return dict(groups)


def margin(jobs: Sequence[CompletedJob]) -> Margin:
    """Revenue-weighted margin of the final jobs; open ones are counted, never summed."""
    final = [job.money for job in jobs if job.money is not None and job.money.final]
    revenue = sum(money.revenue_cents for money in final)
    profit = sum(money.profit_cents for money in final)
    by_source: dict[str, int] = defaultdict(int)
    for money in final:
        for source, cents in money.cents_by_source.items():
            by_source[source] += abs(cents)
    return Margin(
        value=measures.margin(revenue, revenue - profit),
        revenue_cents=revenue,
        profit_cents=profit,
        final_jobs=len(final),
        open_jobs=len(jobs) - len(final),
        source_shares=shares(by_source),
    )


def shares(cents_by_source: dict[str, int]) -> dict[str, float]:
    total = sum(cents_by_source.values())
    if not total:
        return {}
    return {source: cents / total for source, cents in sorted(cents_by_source.items())}


def crew_performance(
    crew_id: uuid.UUID, crew_name: str, jobs: Sequence[CompletedJob], *, money: bool
) -> CrewPerformance:
    measured = [job for job in jobs if job.measured_squares is not None]
    squares = sum(job.measured_squares or 0.0 for job in measured)
    crew_days = sum(job.crew_days for job in measured)
    starts = [job.on_time_start for job in jobs if job.on_time_start is not None]
    finishes = [job.on_time_finish for job in jobs if job.on_time_finish is not None]
    callbacks = sum(1 for job in jobs if job.callbacks)
    return CrewPerformance(
        crew_id=crew_id,
        crew_name=crew_name,
        completed_jobs=len(jobs),
        squares=squares,
        crew_days=crew_days,
        squares_per_crew_day=measures.per_day(squares, crew_days),
        starts_measured=len(starts),
        on_time_starts=sum(starts),
        on_time_start_rate=measures.rate(sum(starts), len(starts)),
        finishes_measured=len(finishes),
        on_time_finishes=sum(finishes),
        on_time_finish_rate=measures.rate(sum(finishes), len(finishes)),
        callbacks=callbacks,
        callback_rate=measures.rate(callbacks, len(jobs)),
        callback_window_open=sum(1 for job in jobs if job.callback_window_open),
        margin=margin(jobs) if money else None,
    )


def rep_performance(
    rep: str, sales: Sequence[SalesJob], completed: Sequence[CompletedJob], *, money: bool
) -> RepPerformance:
    won = [job for job in sales if job.won_on is not None]
    lost = sum(1 for job in sales if job.lost_on is not None)
    contracts = [job.contract_cents for job in won if job.contract_cents is not None]
    days = [job.days_to_contract for job in won if job.days_to_contract is not None]
    return RepPerformance(
        sales_rep=rep,
        leads=sum(1 for job in sales if job.lead_on is not None),
        won=len(won),
        lost=lost,
        close_rate=measures.close_rate(len(won), lost),
        average_contract_cents=measures.average_cents(contracts) if money else None,
        margin=margin(completed) if money else None,
        median_days_to_contract=measures.median(days),
    )


def cycle_times(visits: Iterable[Visit]) -> list[StageCycleTime]:
    """Median and 80th percentile of the visits' days, per stage in pipeline order."""
    by_stage = grouped(visits, lambda visit: visit.stage)
    rows = []
    for stage in CYCLE_STAGES:
        days = [
            measures.days_between(visit.started, visit.ended)
            for visit in by_stage.get(stage, [])
            if visit.ended is not None
        ]
        rows.append(
            StageCycleTime(stage, len(days), measures.median(days), measures.percentile(days, 80))
        )
    return rows


def backlog(as_of: date, jobs: Sequence[BacklogJob], *, money: bool) -> Backlog:
    sized = [job for job in jobs if job.remaining_days is not None]
    contracts = [job for job in jobs if job.contract_cents is not None]
    by_source: dict[str, int] = defaultdict(int)
    for job in contracts:
        by_source[job.contract_source] += job.contract_cents or 0
    return Backlog(
        as_of=as_of,
        jobs=len(jobs),
        crew_days=sum(job.remaining_days or 0.0 for job in sized),
        from_requirements=sum(1 for job in sized if job.basis == "production days"),
        from_squares=sum(1 for job in sized if job.basis == "squares / capacity"),
        unsized=len(jobs) - len(sized),
        contract_cents=sum(job.contract_cents or 0 for job in contracts) if money else None,
        source_shares=shares(by_source) if money else {},
    )
