"""Drill-down rows: the jobs behind a figure with the values the figure used. Pure."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import date, datetime

from roofops.performance import measures
from roofops.performance.records import BacklogJob, CompletedJob, JobRef, SalesJob
from roofops.performance.results import Column, ColumnKind, DrillRow, DrillValue, Figure
from roofops.performance.timeline import Visit

K = ColumnKind


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _row(job: JobRef, values: dict[str, DrillValue]) -> DrillRow:
    return DrillRow(job.id, job.number, job.name, values)


def _margin_value(job: CompletedJob) -> dict[str, DrillValue]:
    money = job.money
    final = money is not None and money.final
    return {
        "final": final,
        "revenue": money.revenue_cents if money and final else None,
        "profit": money.profit_cents if money and final else None,
        "margin": money.profit_cents / money.revenue_cents
        if money and final and money.revenue_cents
        else None,
    }


CompletedColumns = tuple[
    tuple[Column, ...],
    Callable[[CompletedJob], bool],
    Callable[[CompletedJob], dict[str, DrillValue]],
]

COMPLETED: dict[Figure, CompletedColumns] = {
    Figure.CREW_SQUARES: (
        (
            Column("finished_on", "Finished", K.DATE),
            Column("squares", "Squares", K.NUMBER),
            Column("crew_days", "Crew-days", K.NUMBER),
            Column("days_basis", "Crew-days from", K.TEXT),
        ),
        lambda job: job.measured_squares is not None,
        lambda job: {
            "finished_on": _iso(job.finished_on),
            "squares": job.squares,
            "crew_days": job.crew_days,
            "days_basis": job.days_basis,
        },
    ),
    Figure.CREW_ON_TIME_START: (
        (
            Column("planned_start", "Planned start", K.DATE),
            Column("started_on", "Started", K.DATE),
            Column("on_time", "On time", K.YES_NO),
        ),
        lambda job: job.on_time_start is not None,
        lambda job: {
            "planned_start": _iso(job.plan.first_start),
            "started_on": _iso(job.started_on),
            "on_time": job.on_time_start,
        },
    ),
    Figure.CREW_ON_TIME_FINISH: (
        (
            Column("deadline", "Due", K.DATE),
            Column("due_by", "Due by", K.TEXT),
            Column("finished_on", "Finished", K.DATE),
            Column("on_time", "On time", K.YES_NO),
        ),
        lambda job: job.on_time_finish is not None,
        lambda job: {
            "deadline": _iso(job.deadline),
            "due_by": "promised date" if job.promised_by else "planned end",
            "finished_on": _iso(job.finished_on),
            "on_time": job.on_time_finish,
        },
    ),
    Figure.CREW_CALLBACKS: (
        (
            Column("finished_on", "Finished", K.DATE),
            Column("callbacks", "Callback repairs", K.TEXT),
            Column("window_open", "Window still open", K.YES_NO),
        ),
        lambda _job: True,
        lambda job: {
            "finished_on": _iso(job.finished_on),
            "callbacks": ", ".join(job.callbacks),
            "window_open": job.callback_window_open,
        },
    ),
}
MARGIN_COLUMNS = (
    Column("final", "Final", K.YES_NO),
    Column("revenue", "Revenue", K.CENTS),
    Column("profit", "Gross profit", K.CENTS),
    Column("margin", "Margin", K.PERCENT),
)


def completed_rows(
    figure: Figure, jobs: Sequence[CompletedJob]
) -> tuple[tuple[Column, ...], list[DrillRow]]:
    if figure in {Figure.CREW_MARGIN, Figure.REP_MARGIN}:
        return MARGIN_COLUMNS, [_row(job.job, _margin_value(job)) for job in jobs]
    columns, keep, values = COMPLETED[figure]
    return columns, [_row(job.job, values(job)) for job in jobs if keep(job)]


def sales_rows(
    figure: Figure, jobs: Sequence[SalesJob]
) -> tuple[tuple[Column, ...], list[DrillRow]]:
    if figure is Figure.REP_LEADS:
        kept = [job for job in jobs if job.lead_on]
        return (Column("lead_on", "Lead on", K.DATE),), [
            _row(j.job, {"lead_on": _iso(j.lead_on)}) for j in kept
        ]
    if figure is Figure.REP_CLOSE_RATE:
        kept = [job for job in jobs if job.won_on or job.lost_on]
        columns = (Column("won_on", "Won on", K.DATE), Column("lost_on", "Lost on", K.DATE))
        return columns, [
            _row(j.job, {"won_on": _iso(j.won_on), "lost_on": _iso(j.lost_on)}) for j in kept
        ]
    if figure is Figure.REP_AVERAGE_CONTRACT:
        kept = [job for job in jobs if job.won_on]
        columns = (Column("won_on", "Won on", K.DATE), Column("contract", "Contract", K.CENTS))
        return columns, [
            _row(j.job, {"won_on": _iso(j.won_on), "contract": j.contract_cents}) for j in kept
        ]
    kept = [job for job in jobs if job.days_to_contract is not None]
    columns = (Column("won_on", "Won on", K.DATE), Column("days", "Days lead to contract", K.DAYS))
    return columns, [
        _row(j.job, {"won_on": _iso(j.won_on), "days": j.days_to_contract}) for j in kept
    ]


VISIT_COLUMNS = (
    Column("entered", "Entered the stage", K.DATE),
    Column("left", "Left it", K.DATE),
    Column("days", "Days in the stage", K.DAYS),
)


def visit_rows(
    visits: Sequence[Visit], refs: dict[uuid.UUID, JobRef], day_of: Callable[[datetime], date]
) -> tuple[tuple[Column, ...], list[DrillRow]]:
    rows = [
        _row(
            refs[visit.job_id],
            {
                "entered": day_of(visit.started).isoformat(),
                "left": day_of(visit.ended).isoformat(),
                "days": measures.days_between(visit.started, visit.ended),
            },
        )
        for visit in sorted(visits, key=lambda v: (v.ended or v.started, v.job_id))
        if visit.ended is not None
    ]
    return VISIT_COLUMNS, rows


def backlog_rows(
    jobs: Sequence[BacklogJob], *, money: bool
) -> tuple[tuple[Column, ...], list[DrillRow]]:
    columns: tuple[Column, ...] = (
        Column("stage", "Stage", K.TEXT),
        Column("basis", "Sized by", K.TEXT),
        Column("total_days", "Crew-days (whole job)", K.NUMBER),
        Column("worked_days", "Days worked", K.NUMBER),
        Column("remaining_days", "Crew-days left", K.NUMBER),
    )
    if money:
        columns += (Column("contract", "Contract", K.CENTS), Column("source", "Source", K.TEXT))
    rows = []
    for job in jobs:
        values: dict[str, DrillValue] = {
            "stage": job.stage.value,
            "basis": job.basis or "unsized",
            "total_days": job.total_days,
            "worked_days": job.worked_days,
            "remaining_days": job.remaining_days,
        }
        if money:
            values |= {"contract": job.contract_cents, "source": job.contract_source}
        rows.append(_row(job.job, values))
    return columns, rows
