"""Demand and revenue projections reconcile with the plan and the invoices they are built from,
and see nothing after the as-of day (real database, hand-built shop)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import numpy as np
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from roofops.forecast.completion import CompletionResult
from roofops.forecast.projection_inputs import load_history, plan_days_at
from roofops.forecast.projection_model import outcome, win_examples, world_at
from roofops.forecast.projections import forecast_demand, forecast_revenue
from roofops.forecast.results import ForecastSeries, ModelMetrics
from roofops.models import ActorType, Crew, Job, JobStage, JobStageEvent
from roofops.models.dispatch import DispatchPlan, Phase, PlanKind, PlanStatus, ScheduleEntry
from roofops.models.invoice import Invoice, InvoiceKind, InvoicePayer, InvoiceStatus
from tests.factories import make_branch, make_crew, make_job, make_skill

AS_OF = date(2027, 3, 1)  # a Monday
S = JobStage


@dataclass
class Shop:
    crew: Crew
    scheduled: Job  # on the published plan
    signed: Job  # sold, not on the plan
    estimate: Job  # open estimate
    done: Job  # completed, part invoiced


def _at(day: date) -> datetime:
    return datetime.combine(day, time(18), UTC)  # noon in Denver


def _move(db: Session, job: Job, stage: JobStage, day: date) -> None:
    db.add(
        JobStageEvent(
            job_id=job.id,
            to_stage=stage,
            occurred_at=_at(day),
            recorded_at=_at(day),
            actor_type=ActorType.SYSTEM,
        )
    )
    job.stage, job.stage_changed_at = stage, _at(day)
    db.flush()


def _job(db: Session, moves: list[tuple[JobStage, int]], contract: int | None) -> Job:
    first_stage, first_day = moves[0]
    job = make_job(
        db,
        stage=first_stage,
        stage_changed_at=_at(AS_OF + timedelta(days=first_day)),
        contract_cents=contract,
        squares=Decimal(30),
    )
    for stage, day in moves[1:]:
        _move(db, job, stage, AS_OF + timedelta(days=day))
    return job


def _invoice(db: Session, job: Job, cents: int, issued: date, *, void: bool = False) -> None:
    number = f"{job.number}-{uuid.uuid4().hex[:6]}"
    db.add(
        Invoice(
            job_id=job.id,
            sequence=1
            + len(db.scalars(sa.select(Invoice.id).where(Invoice.job_id == job.id)).all()),
            number=number,
            kind=InvoiceKind.PROGRESS,
            payer_kind=InvoicePayer.HOMEOWNER,
            payer_name="Pat",
            issue_date=issued,
            due_date=issued + timedelta(days=30),
            total_cents=cents,
            status=InvoiceStatus.VOID if void else InvoiceStatus.SENT,
        )
    )
    db.flush()


def _plan(db: Session, crew: Crew, job: Job, days: list[date]) -> None:
    plan = DispatchPlan(
        kind=PlanKind.SCHEDULE,
        status=PlanStatus.PUBLISHED,
        horizon_start=AS_OF,
        horizon_end=AS_OF + timedelta(days=60),
        published_at=_at(AS_OF - timedelta(days=1)),
    )
    db.add(plan)
    db.flush()
    db.add(
        ScheduleEntry(
            plan_id=plan.id,
            job_id=job.id,
            phase=Phase.INSTALL,
            crew_id=crew.id,
            starts_on=days[0],
            ends_on=days[-1],
            work_days=[day.isoformat() for day in days],
        )
    )
    db.flush()


@pytest.fixture
def shop(db: Session) -> Shop:
    branch = make_branch(db)
    crew = make_crew(db, branch=branch, skills=[make_skill(db, code="asphalt_shingle")])
    crew.created_at = _at(AS_OF - timedelta(days=400))
    sold = [(S.LEAD, -40), (S.ESTIMATE, -35), (S.CONTRACT_SIGNED, -30)]
    scheduled = _job(db, [*sold, (S.SCHEDULED, -5)], 2_000_000)
    signed = _job(db, sold, 1_500_000)
    estimate = _job(db, [(S.LEAD, -10), (S.ESTIMATE, -6)], None)
    done = _job(db, [*sold, (S.IN_PRODUCTION, -8), (S.COMPLETED, -6)], 900_000)
    _invoice(db, signed, 450_000, AS_OF - timedelta(days=29))  # deposit
    _invoice(db, done, 300_000, AS_OF - timedelta(days=29))
    _invoice(db, done, 999_999, AS_OF - timedelta(days=3), void=True)
    _plan(db, crew, scheduled, [AS_OF + timedelta(days=d) for d in (1, 2, 3, 14)])
    return Shop(crew, scheduled, signed, estimate, done)


def completions_for(*jobs: Job, finish: int = 20) -> CompletionResult:
    """The completion model's output shape, with every job finishing ``finish`` days out."""
    return CompletionResult(
        jobs=(),
        finish_samples={job.id: np.full(50, finish) for job in jobs},
        metrics=ModelMetrics("completion", {}),
    )


def _series(series: tuple[ForecastSeries, ...], key: str) -> ForecastSeries:
    return next(s for s in series if s.key == key)


def test_scheduled_demand_is_the_published_plans_crew_hours(db: Session, shop: Shop) -> None:
    series = forecast_demand(db, AS_OF, completions_for(shop.signed, shop.estimate))
    hours = _series(series, "demand.crew_hours.asphalt_shingle")
    future = [p for p in hours.points if p.actual is None]
    shift = (
        shop.crew.shift_end_minute - shop.crew.shift_start_minute - shop.crew.break_minutes
    ) / 60
    assert sum(float(p.components["scheduled"] or 0) for p in future) == 4 * shift
    days = _series(series, "demand.crew_days.asphalt_shingle")
    assert sum(float(p.components.get("scheduled") or 0) for p in days.points) == 4
    assert [p.period_start.weekday() for p in future] == [0] * 12
    for point in future:
        assert point.p10 is not None
        assert point.p50 is not None
        assert point.p90 is not None
        assert point.p10 <= point.p50 <= point.p90


def test_demand_carries_the_crew_days_worked_in_the_past_weeks(db: Session, shop: Shop) -> None:
    """The done job worked Monday 22 and Tuesday 23 February (its production ran Sunday to
    Tuesday); the job still in production at the origin is not counted yet."""
    _job(db, [(S.CONTRACT_SIGNED, -30), (S.IN_PRODUCTION, -3)], 1)
    series = forecast_demand(db, AS_OF, completions_for())
    days = _series(series, "demand.crew_days.asphalt_shingle")
    past = {p.period_start: p.actual for p in days.points if p.actual is not None}
    assert len(past) == 12
    assert max(past) == AS_OF - timedelta(weeks=1)
    assert {day: v for day, v in past.items() if v} == {date(2027, 2, 22): 2.0}
    hours = _series(series, "demand.crew_hours.asphalt_shingle")
    shift = (
        shop.crew.shift_end_minute - shop.crew.shift_start_minute - shop.crew.break_minutes
    ) / 60
    assert sum(p.actual or 0 for p in hours.points) == 2 * shift
    assert all(p.p50 is None for p in hours.points if p.actual is not None)


def test_capacity_series_is_the_crews_calendar(db: Session, shop: Shop) -> None:
    series = forecast_demand(db, AS_OF, completions_for())
    capacity = _series(series, "capacity.crew_days.asphalt_shingle")
    assert [p.p50 for p in capacity.points] == [5.0] * 12


def test_backlog_is_contracted_not_invoiced(db: Session, shop: Shop) -> None:
    history = load_history(db)
    world = world_at(
        history, AS_OF, completions_for(shop.signed, shop.scheduled).finish_samples, ()
    )
    # 2,000,000 + (1,500,000 - 450,000) + (900,000 - 300,000; the void invoice does not count).
    assert sum(world.backlog().values()) == 3_650_000
    forecast = world.revenue(weeks=60, months=14)
    assert round(sum(p.components["backlog"] for p in forecast.months)) == 3_650_000
    assert round(sum(p.components["backlog"] for p in forecast.weeks)) == 3_650_000


def test_past_revenue_is_the_invoices_by_issue_date(db: Session, shop: Shop) -> None:
    weekly, monthly = forecast_revenue(db, AS_OF, completions_for(shop.signed))
    past = {p.period_start: p.actual for p in weekly.points if p.actual is not None}
    deposit_week = AS_OF - timedelta(days=29 + (AS_OF - timedelta(days=29)).weekday())
    assert past[deposit_week] == 750_000
    assert sum(v or 0 for v in past.values()) == 750_000
    months = {p.period_start: p.actual for p in monthly.points if p.actual is not None}
    assert months[date(2027, 1, 1)] == 750_000
    assert sum(v or 0 for v in months.values()) == 750_000
    assert len(weekly.points) == 24
    assert len(monthly.points) == 12


def test_nothing_after_the_as_of_day_is_seen(db: Session, shop: Shop) -> None:
    completions = completions_for(shop.signed, shop.scheduled)
    before = (forecast_demand(db, AS_OF, completions), forecast_revenue(db, AS_OF, completions))
    _move(db, shop.signed, S.SCHEDULED, AS_OF)
    _move(db, shop.estimate, S.CONTRACT_SIGNED, AS_OF + timedelta(days=1))
    _invoice(db, shop.done, 600_000, AS_OF)
    late = make_crew(db, skills=[])
    late.created_at = _at(AS_OF + timedelta(days=2))
    assert (
        forecast_demand(db, AS_OF, completions),
        forecast_revenue(db, AS_OF, completions),
    ) == before


def test_a_plan_published_later_is_not_known(db: Session, shop: Shop) -> None:
    history = load_history(db)
    assert len(plan_days_at(db, AS_OF, history)) == 4
    assert plan_days_at(db, AS_OF - timedelta(days=7), history) == ()


def test_an_invoiced_job_without_invoices_counts_its_contract_on_the_invoiced_day(
    db: Session, shop: Shop
) -> None:
    """A job invoiced in the books only (the demo's case) still has revenue."""
    books_only = _job(
        db, [(S.CONTRACT_SIGNED, -60), (S.COMPLETED, -20), (S.INVOICED, -15)], 500_000
    )
    history = load_history(db)
    money = [m for m in history.money if m.job_id == books_only.id]
    assert [(m.day, m.cents) for m in money] == [(AS_OF - timedelta(days=15), 500_000)]


def test_win_training_takes_decided_leads_old_enough_and_counts_a_later_cancel_as_won(
    db: Session, shop: Shop
) -> None:
    won = _job(db, [(S.LEAD, -200), (S.ESTIMATE, -190), (S.CONTRACT_SIGNED, -150)], 1)
    cancelled = _job(db, [(S.LEAD, -200), (S.CONTRACT_SIGNED, -180), (S.CANCELLED, -170)], 1)
    lost = _job(db, [(S.LEAD, -120), (S.ESTIMATE, -118), (S.LOST, -100)], None)
    undecided = _job(db, [(S.LEAD, -300), (S.ESTIMATE, -290)], None)
    history = load_history(db)
    facts = history.by_id

    assert outcome(facts[won.id], AS_OF) is True
    assert outcome(facts[cancelled.id], AS_OF) is True  # it reached contract_signed
    assert outcome(facts[lost.id], AS_OF) is False
    assert outcome(facts[lost.id], AS_OF - timedelta(days=101)) is None  # not lost yet then
    assert outcome(facts[undecided.id], AS_OF) is None
    # The shop's leads are younger than 60 days: left out, with the undecided one.
    examples = win_examples(history, AS_OF)
    stages = sorted((e.features.stage, e.features.days_in_stage, e.won) for e in examples)
    assert stages == [
        ("estimate", 0, False),
        ("estimate", 0, True),
        ("estimate", 7, False),
        ("estimate", 7, True),
        ("estimate", 21, True),
        ("lead", 0, False),
        ("lead", 0, True),
        ("lead", 0, True),
        ("lead", 7, True),
        ("lead", 7, True),
    ]
