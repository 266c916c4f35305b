"""What the executive KPIs read, in a handful of queries whatever the number of periods: every
job's stage moves, every sold job's money snapshot, and the forecast runs' revenue medians.
The invoices come from the financial reports' repository (roofops.report.repository), so
revenue and AR are the reports' own figures.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roofops.financials.figures import COST_FIGURES
from roofops.models.crew import Crew
from roofops.models.enums import FigureSource, JobStage
from roofops.models.financials import AccountingInvoice, JobFinancials
from roofops.models.forecast import ForecastPoint, ForecastRun, ForecastRunStatus
from roofops.models.integration import IntegrationConnection
from roofops.models.invoice import Invoice
from roofops.models.job import Job, JobStageEvent


@dataclass(frozen=True)
class StageMove:
    job_id: JobKey
    to_stage: str  # a JobStage value
    occurred_at: datetime  # UTC


# A job's id as the driver hands it over (a UUID on PostgreSQL, its hex text on SQLite): the
# ledger only groups by it, and skipping the conversion of 200,000 moves saves a second.
JobKey = Hashable


@dataclass(frozen=True)
class JobMoney:
    """A job's money snapshot with the figures' sources, and the stage it is in now."""

    job_id: JobKey
    stage: JobStage
    stage_changed_at: datetime
    contract_cents: int | None
    contract_source: FigureSource
    invoiced_cents: int | None
    books_source: FigureSource | None
    cost_to_date_cents: int | None
    actual_revenue_cents: int | None
    actual_profit_cents: int | None
    costs: tuple[tuple[int | None, FigureSource], ...]  # per cost category: amount, source


@dataclass(frozen=True)
class ForecastMedian:
    series_key: str  # "revenue.week" or "revenue.month"
    period_start: date
    p50: float
    run_as_of: date


class KpiRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def stage_moves(self) -> list[StageMove]:
        """Every stage move of every job that is not archived, oldest first, as raw values
        (no ORM and no type conversion: this reads every move the company ever made)."""
        statement = (
            sa.select(
                sa.type_coerce(JobStageEvent.job_id, sa.String),
                sa.type_coerce(JobStageEvent.to_stage, sa.String),
                sa.type_coerce(JobStageEvent.occurred_at, sa.String),
            )
            .join(Job, Job.id == JobStageEvent.job_id)
            .where(Job.archived_at.is_(None))
            .order_by(JobStageEvent.occurred_at, JobStageEvent.recorded_at)
        )
        return [
            StageMove(job_id, stage, _utc(at))
            for job_id, stage, at in self.session.connection().execute(statement).all()
        ]

    def job_money(self) -> list[JobMoney]:
        """The money snapshot of every job that is not archived (a job in backlog last year
        may be cancelled now: its contract was in the backlog then)."""
        cost_columns = [
            column
            for figure in COST_FIGURES
            for column in (
                getattr(JobFinancials, f"{figure}_cents"),
                getattr(JobFinancials, f"{figure}_source"),
            )
        ]
        statement = (
            sa.select(
                sa.type_coerce(Job.id, sa.String),
                Job.stage,
                Job.stage_changed_at,
                JobFinancials.contract_cents,
                JobFinancials.contract_source,
                JobFinancials.invoiced_cents,
                JobFinancials.books_source,
                JobFinancials.cost_to_date_cents,
                JobFinancials.actual_revenue_cents,
                JobFinancials.actual_profit_cents,
                *cost_columns,
            )
            .join(JobFinancials, JobFinancials.job_id == Job.id)
            .where(Job.archived_at.is_(None))
        )
        return [_job_money(tuple(row)) for row in self.session.execute(statement)]

    def version(self) -> tuple[object, ...]:
        """Counts and latest edits of every table the KPIs read, in one statement: an insert,
        an update or a delete moves one of them, so equal versions give equal figures."""
        watched = (
            (JobStageEvent, JobStageEvent.recorded_at),
            (Job, Job.updated_at),
            (JobFinancials, JobFinancials.updated_at),
            (Invoice, Invoice.updated_at),
            (AccountingInvoice, AccountingInvoice.updated_at),
            (IntegrationConnection, IntegrationConnection.updated_at),
            (ForecastRun, ForecastRun.updated_at),
            (Crew, Crew.updated_at),
        )
        parts = [
            part
            for table, latest in watched
            for part in (
                sa.select(sa.func.count()).select_from(table).scalar_subquery(),
                sa.select(sa.func.max(latest)).scalar_subquery(),
            )
        ]
        return tuple(self.session.execute(sa.select(*parts)).one())

    def revenue_medians(self) -> list[ForecastMedian]:
        """The revenue medians (weekly and monthly) of every succeeded forecast run."""
        statement = (
            sa.select(
                ForecastPoint.series_key,
                ForecastPoint.period_start,
                ForecastPoint.p50,
                ForecastRun.as_of,
            )
            .join(ForecastRun, ForecastRun.id == ForecastPoint.run_id)
            .where(
                ForecastRun.status == ForecastRunStatus.SUCCEEDED,
                ForecastPoint.series_key.in_(("revenue.week", "revenue.month")),
                ForecastPoint.p50.is_not(None),
            )
        )
        return [
            ForecastMedian(key, start, float(p50 or 0), as_of)
            for key, start, p50, as_of in self.session.execute(statement)
        ]


def _utc(raw: datetime | str) -> datetime:
    """A moment as the driver hands it over: a datetime (PostgreSQL) or SQLite's naive UTC
    text, which ``fromisoformat`` reads far faster than SQLAlchemy's parser."""
    moment = raw if isinstance(raw, datetime) else datetime.fromisoformat(raw)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _job_money(row: tuple[Any, ...]) -> JobMoney:
    costs = row[10:]
    return JobMoney(
        job_id=row[0],
        stage=row[1],
        stage_changed_at=row[2],
        contract_cents=row[3],
        contract_source=row[4],
        invoiced_cents=row[5],
        books_source=row[6],
        cost_to_date_cents=row[7],
        actual_revenue_cents=row[8],
        actual_profit_cents=row[9],
        costs=tuple(zip(costs[::2], costs[1::2], strict=True)),
    )
