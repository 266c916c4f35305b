"""A small contractor's field day, built through the ORM: repair crews around Denver, repair
jobs with visit times and windows, and published plans written as publishing leaves them."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from roofops.auth.service import auth_service
from roofops.kit.time import utcnow
from roofops.models import (
    Branch,
    Crew,
    Job,
    JobStage,
    JobType,
    Priority,
    Property,
    Role,
    Skill,
    User,
)
from roofops.models.dispatch import (
    DispatchPlan,
    JobRequirements,
    Phase,
    PlanKind,
    PlanStatus,
    RouteStop,
    ScheduleEntry,
    StopKind,
)
from tests.factories import ApiClient, make_branch, make_crew, make_job, make_skill, make_user

MONDAY = date(2026, 12, 7)
DENVER = (39.74, -104.99)


@dataclass
class FieldDay:
    branch: Branch
    repairs: Skill
    crews: list[Crew]
    jobs: list[Job]


def skill(db: Session, code: str) -> Skill:
    existing = db.query(Skill).filter_by(code=code).one_or_none()
    return existing or make_skill(db, code=code)


def repair_crew(db: Session, branch: Branch, name: str, lead_name: str = "") -> Crew:
    crew = make_crew(db, branch=branch, skills=[skill(db, "repairs")])
    crew.name, crew.lead_name, crew.phone = name, lead_name, "303-555-0100"
    rng = random.Random(name)
    crew.home_latitude = DENVER[0] + rng.uniform(-0.05, 0.05)
    crew.home_longitude = DENVER[1] + rng.uniform(-0.05, 0.05)
    db.flush()
    return crew


def repair_job(
    db: Session,
    branch: Branch | None,
    rng: random.Random,
    *,
    window: tuple[int, int] | None = None,
    priority: Priority = Priority.NORMAL,
) -> Job:
    job = make_job(
        db, stage=JobStage.CONTRACT_SIGNED, job_type=JobType.REPAIR, branch=branch, name="Leak"
    )
    job.priority = priority
    place = db.get(Property, job.property_id)
    assert place is not None
    place.latitude = DENVER[0] + rng.uniform(-0.12, 0.12)
    place.longitude = DENVER[1] + rng.uniform(-0.15, 0.15)
    db.add(
        JobRequirements(
            job_id=job.id,
            visit_minutes=rng.choice((30, 45, 60, 90)),
            window_start_minute=window[0] if window else None,
            window_end_minute=window[1] if window else None,
        )
    )
    db.flush()
    return job


def field_day(db: Session, *, crews: int = 3, visits: int = 12, seed: int = 7) -> FieldDay:
    """Crews with the repairs skill and a day of repair visits, a third of them with a
    customer window (morning or afternoon)."""
    rng = random.Random(seed)
    branch = make_branch(db)
    branch.latitude, branch.longitude = DENVER
    team = [repair_crew(db, branch, f"Repair {seed}-{n}", f"Lead {seed}-{n}") for n in range(crews)]
    windows = [None, None, (480, 720), None, (720, 960), None]
    jobs = [repair_job(db, branch, rng, window=windows[n % len(windows)]) for n in range(visits)]
    return FieldDay(branch, skill(db, "repairs"), team, jobs)


def published_schedule(
    db: Session,
    work: Sequence[tuple[Job, Crew, date, int]],
    *,
    based_on: DispatchPlan | None = None,
) -> DispatchPlan:
    """A published schedule plan: each job's install by the crew from a day for N days."""
    if based_on is not None:
        based_on.status = PlanStatus.SUPERSEDED
    first = min(start for _, _, start, _ in work)
    plan = DispatchPlan(
        kind=PlanKind.SCHEDULE,
        status=PlanStatus.PUBLISHED,
        horizon_start=first,
        horizon_end=first + timedelta(days=30),
        trigger="optimize",
        based_on_id=based_on.id if based_on else None,
        published_at=utcnow(),
    )
    db.add(plan)
    db.flush()
    for job, crew, start, days in work:
        dates = [start + timedelta(days=n) for n in range(days)]
        db.add(
            ScheduleEntry(
                plan_id=plan.id,
                job_id=job.id,
                phase=Phase.INSTALL,
                crew_id=crew.id,
                starts_on=dates[0],
                ends_on=dates[-1],
                work_days=[day.isoformat() for day in dates],
            )
        )
    db.flush()
    return plan


def published_visit(db: Session, job: Job, crew: Crew, on: date, start: int) -> DispatchPlan:
    plan = DispatchPlan(
        kind=PlanKind.ROUTES,
        status=PlanStatus.PUBLISHED,
        horizon_start=on,
        horizon_end=on,
        route_date=on,
        published_at=utcnow(),
    )
    db.add(plan)
    db.flush()
    db.add(
        RouteStop(
            plan_id=plan.id,
            crew_id=crew.id,
            route_date=on,
            sequence=0,
            job_id=job.id,
            kind=StopKind.VISIT,
            arrival_minute=start,
            start_minute=start,
            departure_minute=start + 60,
        )
    )
    db.flush()
    return plan


def crew_lead(api: ApiClient, crew: Crew) -> ApiClient:
    """An API client signed in as the crew's lead (a crew_lead named as the crew's lead)."""
    user = make_user(api.db, role=Role.CREW_LEAD)
    user.full_name = crew.lead_name
    return signed_in(api, user)


def signed_in(api: ApiClient, user: User) -> ApiClient:
    token = auth_service.create_api_token(api.db, user_id=user.id, name="tests")
    api.db.commit()
    return ApiClient(api.client, api.db, {"Authorization": f"Bearer {token.raw_token}"}, user)
