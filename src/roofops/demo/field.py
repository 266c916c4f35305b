"""The demo's crews in the field on the as-of day, so the operations dashboard is alive after
``make demo``: of the crews the published plan has working, some are on the way, some on a
roof, one finished for the day, one blocked, the rest still scheduled, among them Carlos
Crewlead's crew (the demo's crew-lead sign-in, leading the first crew), left for whoever
tries the crew page to press Start work. A crew with no work in the plan reports nothing.

Reports go through the field service (activities and live events included) and are written
only where they move nothing: a crew is put on a roof only on a job already in production, so
the generated jobs stay row for row what the generator made. Deterministic by seed."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from roofops.auth.principal import SYSTEM
from roofops.demo.generator import FIRST_CREW_LEAD
from roofops.demo.records import DemoData
from roofops.field.results import CrewDayState
from roofops.field.service import field_service
from roofops.job.service import job_service
from roofops.kit.time import utcnow
from roofops.models.enums import JobStage
from roofops.models.field import FieldStatus

EN_ROUTE, ON_SITE = FieldStatus.EN_ROUTE, FieldStatus.ON_SITE
FINISHED, BLOCKED = FieldStatus.FINISHED, FieldStatus.BLOCKED
# What crews have reported by late morning, one day each in order: crews on a job already in
# production, then crews bound for a job not started yet; every other crew is scheduled.
ON_ROOF_DAYS: tuple[tuple[FieldStatus, ...], ...] = (
    (EN_ROUTE, ON_SITE),
    (EN_ROUTE, ON_SITE, FINISHED),
    (EN_ROUTE, ON_SITE, BLOCKED),
    (EN_ROUTE, ON_SITE),
)
NOT_STARTED_DAYS: tuple[tuple[FieldStatus, ...], ...] = ((EN_ROUTE,), (EN_ROUTE, BLOCKED))
BLOCK_REASONS = (
    "Drip edge delivery not on site yet; supplier says after lunch",
    "Decking soft over the garage: waiting for the homeowner to approve the sheets",
    "Gusts over 30 mph on the ridge; off the roof until it drops",
)
LATE_MORNING = time(11, 0)
STEP = timedelta(minutes=35)


def report_field_day(db: Session, data: DemoData, time_zone: str) -> None:
    """The as-of day's reports of the crews the published plan has working."""
    rng = random.Random(f"roofops-demo:{data.seed}:field")  # noqa: S311 (not for security)
    working = [
        state
        for state in field_service.day_states(db, data.as_of)
        if state.planned and not _led_by_the_demo_lead(db, state)
    ]
    rng.shuffle(working)
    on_roofs = [state for state in working if _in_production(db, state)]
    waiting = [state for state in working if state not in on_roofs]
    days = [
        *zip(on_roofs, ON_ROOF_DAYS, strict=False),
        *zip(waiting, NOT_STARTED_DAYS, strict=False),
    ]
    midnight = datetime.combine(data.as_of, time(0, 1), ZoneInfo(time_zone))
    latest = _latest_moment(data, time_zone)
    for index, (state, day) in enumerate(days):
        start = max(midnight, latest - STEP * len(day) - timedelta(minutes=7 * index))
        for step, status in enumerate(day):
            note = rng.choice(BLOCK_REASONS) if status == BLOCKED else ""
            field_service.report(
                db,
                SYSTEM,
                state.crew_id,
                state.planned[0].job_id,
                status,
                note=note,
                occurred_at=min(start + STEP * step, latest),
            )


def _in_production(db: Session, state: CrewDayState) -> bool:
    return job_service.get(db, state.planned[0].job_id).stage == JobStage.IN_PRODUCTION


def _led_by_the_demo_lead(db: Session, state: CrewDayState) -> bool:
    return field_service.crew(db, state.crew_id).lead_name == FIRST_CREW_LEAD


def _latest_moment(data: DemoData, time_zone: str) -> datetime:
    """Late morning of the as-of day, or now when that is still to come (never the future)."""
    late_morning = datetime.combine(data.as_of, LATE_MORNING, ZoneInfo(time_zone))
    return min(late_morning, utcnow())
