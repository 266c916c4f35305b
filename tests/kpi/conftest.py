"""A small demo company with money in it: the demo's jobs and stage history, the books of
tests/report/conftest.py (QuickBooks invoices and payments, ours not in the books yet), the
books' costs on some billed demo jobs, a figure set by hand, and a forecast run's revenue
medians. The tests work out each KPI from these raw rows on their own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from roofops.auth.principal import SYSTEM
from roofops.demo.generator import generate
from roofops.demo.service import demo_service
from roofops.financials.figures import COST_FIGURES
from roofops.financials.service import BooksFigures, financials_service
from roofops.models import Job, JobStage
from roofops.models.enums import FigureSource
from roofops.models.forecast import ForecastPoint, ForecastRun, ForecastRunStatus, ForecastTrigger
from tests.report.conftest import insert_books

AS_OF = date(2026, 6, 30)
SIZE = 0.05
FORECAST_MONTHS = (date(2026, 4, 1), date(2026, 5, 1), date(2026, 6, 1))
FORECAST_P50 = 2_500_000.0


@dataclass(frozen=True)
class Company:
    db: Session
    as_of: date
    costed: tuple[Job, ...]  # billed demo jobs given the books' costs


@pytest.fixture
def company(db: Session) -> Company:
    demo_service.insert_rows(db, generate(SIZE, 5, AS_OF))
    insert_books(db)
    financials_service.track(db)
    costed = _cost_billed_jobs(db)
    financials_service.set_manual(
        db, SYSTEM, costed[0].id, figure="labor", cents=123_456, reason="crew invoice by hand"
    )
    _forecast_run(db)
    db.flush()
    return Company(db, AS_OF, costed)


def _cost_billed_jobs(db: Session) -> tuple[Job, ...]:
    """The books' invoices and costs on every other invoiced or paid job, so that some are
    final and some are not (no costs in the books)."""
    billed = db.scalars(
        sa.select(Job).where(Job.stage.in_([JobStage.INVOICED, JobStage.PAID])).order_by(Job.number)
    ).all()
    costed = tuple(billed[::2])
    books = {
        job.id: BooksFigures(
            invoiced_cents=1_000_000 + 1_000 * index,
            balance_cents=0,
            costs=dict.fromkeys(COST_FIGURES, 0)
            | {"materials": 300_000 + 500 * index, "labor": 250_000, "disposal": 20_000},
        )
        for index, job in enumerate(costed)
    }
    financials_service.apply_books(
        db, FigureSource.QUICKBOOKS, books, synced_at=datetime(2026, 6, 1, tzinfo=UTC)
    )
    return costed


def _forecast_run(db: Session) -> None:
    """Runs made before each month (a later one before the month wins) and one made inside
    the month (it does not count: it knew part of the month)."""
    for as_of, p50 in ((date(2026, 2, 1), 9.0), (date(2026, 3, 15), FORECAST_P50)):
        run = _run(db, as_of)
        db.add_all(_point(run, start, p50) for start in FORECAST_MONTHS)
    inside = _run(db, date(2026, 5, 10))
    db.add(_point(inside, date(2026, 5, 1), 1.0))


def _run(db: Session, as_of: date) -> ForecastRun:
    run = ForecastRun(
        as_of=as_of,
        status=ForecastRunStatus.SUCCEEDED,
        trigger=ForecastTrigger.CLI,
        started_at=datetime.combine(as_of, datetime.min.time(), UTC) + timedelta(hours=1),
    )
    db.add(run)
    db.flush()
    return run


def _point(run: ForecastRun, start: date, p50: float) -> ForecastPoint:
    return ForecastPoint(
        run_id=run.id,
        series_key="revenue.month",
        label="Revenue by month",
        unit="cents",
        period="month",
        period_start=start,
        p10=p50 * 0.8,
        p50=p50,
        p90=p50 * 1.2,
    )
