"""A small day of operations: crews with work today in a published schedule, the viewers of
each role, and the real weather rules connected (stored forecasts decide, as in production)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from roofops.auth.principal import Principal
from roofops.dispatch.service import dispatch_service
from roofops.field.service import field_service
from roofops.integrations.weather.outlook import ForecastOutlook
from roofops.kit.time import utcnow
from roofops.models import Crew, Job
from roofops.models.dispatch import (
    DispatchPlan,
    Phase,
    PlanKind,
    PlanStatus,
    ScheduleEntry,
)
from roofops.models.enums import ActorType, Role
from tests.factories import make_user


def viewer(db: Session, role: Role) -> Principal:
    """A signed-in user of this role (a real row: reports and stage events name it)."""
    user = make_user(db, role=role)
    return Principal(user.id, user.email, user.full_name, role, ActorType.USER)


@pytest.fixture
def today(db: Session) -> date:
    """The company's day, as crews report on it."""
    return field_service.today(db)


@pytest.fixture
def weather_rules() -> Iterator[None]:
    """The forecast-reading outlook the app connects at start-up (not connected in unit tests)."""
    before = dispatch_service.weather
    dispatch_service.connect_weather(ForecastOutlook())
    yield
    dispatch_service.connect_weather(before)


def publish_schedule(
    db: Session, first: date, work: Sequence[tuple[Job, Crew | None, Sequence[date]]]
) -> DispatchPlan:
    """A published schedule: each job on its crew over its work days."""
    plan = DispatchPlan(
        kind=PlanKind.SCHEDULE,
        status=PlanStatus.PUBLISHED,
        horizon_start=first - timedelta(days=14),
        horizon_end=first + timedelta(days=14),
        trigger="optimize",
        published_at=utcnow(),
    )
    db.add(plan)
    db.flush()
    db.add_all(
        ScheduleEntry(
            plan_id=plan.id,
            job_id=job.id,
            phase=Phase.INSTALL,
            crew_id=crew.id if crew else None,
            starts_on=min(days),
            ends_on=max(days),
            work_days=[day.isoformat() for day in days],
        )
        for job, crew, days in work
    )
    db.flush()
    return plan


def working_every_day(crew: Crew) -> Crew:
    """Tests run on any weekday: the crew works all seven."""
    crew.working_weekdays = "1234567"
    return crew
