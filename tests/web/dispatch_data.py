"""A small dispatch world for the board's tests: two crews with different skills, a published
plan with placements, an unscheduled job with its reason, a holiday, time off and a day's routes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from roofops.kit.time import utcnow
from roofops.models import Crew, Job, JobStage, JobType, Material, Property
from roofops.models.dispatch import (
    CrewTimeOff,
    DispatchPlan,
    Holiday,
    Phase,
    PlanKind,
    PlanStatus,
    RouteStop,
    ScheduleEntry,
    TimeOffKind,
)
from tests.factories import make_crew, make_job, make_skill


@dataclass(frozen=True)
class World:
    monday: date
    shingles: Crew  # asphalt shingle only
    metal: Crew  # metal only
    placed: Job  # on the shingle crew, Monday and Tuesday
    waiting: Job  # a metal roof nobody could take yet
    plan: DispatchPlan


def _crew(db: Session, name: str, code: str, color: str, home: tuple[float, float]) -> Crew:
    crew = make_crew(db, skills=[make_skill(db, code=code)])
    crew.name, crew.color = name, color
    crew.home_latitude, crew.home_longitude = home
    return crew


def _job(db: Session, number: str, material: Material, site: tuple[float, float]) -> Job:
    job = make_job(db, number=number, material=material, stage=JobStage.MATERIALS_ORDERED)
    prop = db.get_one(Property, job.property_id)
    prop.latitude, prop.longitude = site
    return job


def _entry(plan: DispatchPlan, job: Job, **fields: object) -> ScheduleEntry:
    return ScheduleEntry(plan_id=plan.id, job_id=job.id, phase=Phase.INSTALL, **fields)


def build_world(db: Session, monday: date, *, suffix: str = "") -> World:
    """``suffix`` keeps skill codes and crew names unique when a test builds two worlds."""
    shingles = _crew(
        db, f"Shingle Crew{suffix}", f"asphalt_shingle{suffix}", "#2563eb", (39.70, -105.0)
    )
    metal = _crew(db, f"Metal Crew{suffix}", f"metal{suffix}", "#dc2626", (39.78, -104.95))
    placed = _job(db, f"D-100{suffix}", Material.ASPHALT_SHINGLE, (39.75, -105.02))
    waiting = _job(db, f"D-200{suffix}", Material.METAL, (39.72, -104.93))
    plan = DispatchPlan(
        kind=PlanKind.SCHEDULE,
        status=PlanStatus.PUBLISHED,
        horizon_start=monday,
        horizon_end=monday + timedelta(days=13),
        trigger="optimize",
        published_at=utcnow(),
    )
    db.add(plan)
    db.flush()
    db.add_all(
        [
            _entry(
                plan,
                placed,
                crew_id=shingles.id,
                starts_on=monday,
                ends_on=monday + timedelta(days=1),
                work_days=[str(monday), str(monday + timedelta(days=1))],
                reason="Earliest free skilled crew before the promised date.",
            ),
            _entry(
                plan,
                waiting,
                reason="No crew with the 'metal' skill is free before Dec 18.",
            ),
            Holiday(on=monday + timedelta(days=4), name=f"Company day{suffix}"),
            CrewTimeOff(
                crew_id=metal.id,
                starts_on=monday + timedelta(days=2),
                ends_on=monday + timedelta(days=2),
                kind=TimeOffKind.SICK,
            ),
        ]
    )
    db.flush()
    return World(monday, shingles, metal, placed, waiting, plan)


def add_routes(db: Session, world: World, day: date) -> DispatchPlan:
    """A published routes plan for ``day``: the metal crew visits both jobs' sites."""
    plan = DispatchPlan(
        kind=PlanKind.ROUTES,
        status=PlanStatus.PUBLISHED,
        horizon_start=day,
        horizon_end=day,
        route_date=day,
    )
    db.add(plan)
    db.flush()
    for sequence, (job, minute) in enumerate(((world.placed, 480), (world.waiting, 600)), 1):
        db.add(
            RouteStop(
                plan_id=plan.id,
                crew_id=world.metal.id,
                route_date=day,
                sequence=sequence,
                job_id=job.id,
                arrival_minute=minute,
                start_minute=minute,
                departure_minute=minute + 60,
            )
        )
    db.flush()
    return plan


def add_repairs(db: Session, world: World) -> Crew:
    """A service crew (repairs) and two repair visits: something for the day's routes."""
    crew = _crew(db, "Service Crew", "repairs", "#16a34a", (39.74, -104.99))
    for number, site in (("R-1", (39.76, -105.03)), ("R-2", (39.71, -104.95))):
        job = _job(db, number, Material.ASPHALT_SHINGLE, site)
        job.job_type = JobType.REPAIR
        job.stage = JobStage.CONTRACT_SIGNED
    db.flush()
    return crew
