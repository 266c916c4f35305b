"""Hand-made rows for the performance tests: jobs with a stage history, published schedules,
books figures and repairs, at fixed dates in the company's time zone (America/Denver)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from roofops.financials.service import BooksFigures, financials_service
from roofops.models import Crew, DispatchPlan, Job, JobStageEvent, ScheduleEntry
from roofops.models.dispatch import Phase, PlanKind, PlanStatus
from roofops.models.enums import ActorType, CostCategory, FigureSource, JobStage, JobType
from tests.factories import make_crew, make_job, make_requirements

NO_COSTS = {category.value: 0 for category in CostCategory}


def at(day: date, hour: int = 18) -> datetime:
    """A moment of ``day`` (18:00 UTC is 11:00 or 12:00 in Denver: the same company day)."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def job_with_history(
    db: Session,
    moves: Sequence[tuple[JobStage, date]],
    *,
    squares: str | None = "24",
    sales_rep: str = "Ann Seller",
    crew: Crew | None = None,
    contract_cents: int | None = None,
    job_type: JobType = JobType.REROOF,
) -> Job:
    """A job that made ``moves`` (the first is where it entered the pipeline)."""
    first_stage, first_day = moves[0]
    job = make_job(
        db,
        stage=first_stage,
        stage_changed_at=at(first_day),
        squares=Decimal(squares) if squares is not None else None,
        sales_rep=sales_rep,
        contract_cents=contract_cents,
        job_type=job_type,
    )
    previous = first_stage
    for stage, day in moves[1:]:
        db.add(
            JobStageEvent(
                job_id=job.id,
                from_stage=previous,
                to_stage=stage,
                occurred_at=at(day),
                recorded_at=at(day),
                actor_type=ActorType.SYSTEM,
                actor_label="test",
            )
        )
        previous = stage
    job.stage, job.stage_changed_at = previous, at(moves[-1][1])
    job.crew_id = crew.id if crew else None
    db.flush()
    return job


def publish(
    db: Session, published_on: date, work: Sequence[tuple[Job, Crew, Sequence[date]]]
) -> DispatchPlan:
    """A schedule published on ``published_on``; earlier published schedules are superseded."""
    for plan in db.query(DispatchPlan).filter(DispatchPlan.status == PlanStatus.PUBLISHED):
        plan.status = PlanStatus.SUPERSEDED
    days = [day for _, _, job_days in work for day in job_days]
    plan = DispatchPlan(
        kind=PlanKind.SCHEDULE,
        status=PlanStatus.PUBLISHED,
        horizon_start=min(days),
        horizon_end=max(days) + timedelta(days=14),
        trigger="test",
        published_at=at(published_on, 12),
    )
    db.add(plan)
    db.flush()
    for job, crew, job_days in work:
        db.add(
            ScheduleEntry(
                plan_id=plan.id,
                job_id=job.id,
                phase=Phase.INSTALL,
                crew_id=crew.id,
                starts_on=min(job_days),
                ends_on=max(job_days),
                work_days=[day.isoformat() for day in job_days],
            )
        )
    db.flush()
    return plan


def books(db: Session, job: Job, *, invoiced: int, materials: int, labor: int = 0) -> None:
    """What QuickBooks says of the job: invoiced in full and paid, with these costs."""
    costs = NO_COSTS | {"materials": materials, "labor": labor}
    financials_service.apply_books(
        db,
        FigureSource.QUICKBOOKS,
        {job.id: BooksFigures(invoiced_cents=invoiced, balance_cents=0, costs=costs)},
        synced_at=at(date(2025, 4, 1)),
    )
    db.flush()


def days(first: date, count: int) -> list[date]:
    return [first + timedelta(days=n) for n in range(count)]


S, CS, SCH, IP, DONE, PAID = (
    JobStage.LEAD,
    JobStage.CONTRACT_SIGNED,
    JobStage.SCHEDULED,
    JobStage.IN_PRODUCTION,
    JobStage.COMPLETED,
    JobStage.PAID,
)


@dataclass(frozen=True)
class CrewWorld:
    crew: Crew
    on_time: Job
    late: Job
    february: Job
    repair: Job


def build_crew_world(db: Session) -> CrewWorld:
    """Crew A finishes two jobs in March 2025 and one in February.

    - on_time: 30 squares, planned Mar 3-5, started Mar 4 (1 day late: within tolerance),
      finished Mar 6 (1 day after the planned end: on time), paid with final figures
      (invoiced $20,000, costs $12,000: 40 % margin); 3 crew-days.
    - late: 20 squares, first planned Mar 6-7, re-planned on Mar 8 to Mar 10-13 (4 crew-days),
      started Mar 10 (4 days late), finished Mar 14, promised by Mar 20 (on time); completed,
      not final; a repair on its property came in on Apr 2: a callback.
    - february: finished Feb 20, outside the period.
    """
    crew = make_crew(db)
    on_time = job_with_history(
        db,
        [
            (S, date(2025, 1, 5)),
            (CS, date(2025, 2, 1)),
            (SCH, date(2025, 2, 25)),
            (IP, date(2025, 3, 4)),
            (DONE, date(2025, 3, 6)),
            (PAID, date(2025, 3, 7)),
        ],
        squares="30",
        crew=crew,
    )
    late = job_with_history(
        db,
        [
            (S, date(2025, 1, 6)),
            (CS, date(2025, 2, 2)),
            (SCH, date(2025, 2, 26)),
            (IP, date(2025, 3, 10)),
            (DONE, date(2025, 3, 14)),
        ],
        squares="20",
        crew=crew,
    )
    february = job_with_history(
        db, [(S, date(2025, 1, 1)), (IP, date(2025, 2, 18)), (DONE, date(2025, 2, 20))], crew=crew
    )
    make_requirements(db, late, promised_by=date(2025, 3, 20))
    publish(
        db,
        date(2025, 2, 25),
        [(on_time, crew, days(date(2025, 3, 3), 3)), (late, crew, days(date(2025, 3, 6), 2))],
    )
    publish(
        db,
        date(2025, 3, 8),
        [(on_time, crew, days(date(2025, 3, 3), 3)), (late, crew, days(date(2025, 3, 10), 4))],
    )
    books(db, on_time, invoiced=2_000_000, materials=1_000_000, labor=200_000)
    repair = job_with_history(db, [(S, date(2025, 4, 2))], job_type=JobType.REPAIR, squares=None)
    repair.property_id = late.property_id
    db.flush()
    return CrewWorld(crew, on_time, late, february, repair)
