"""What the dispatch board shows besides the service's board: events waiting for a re-plan, and
the sites and crews of a day's routes for the map, shaped for this page (the service reads them)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from roofops.dispatch.day_routes import day_routes
from roofops.dispatch.service import dispatch_service
from roofops.models import Crew
from roofops.models.dispatch import (
    DispatchEvent,
    DispatchPlan,
    StopKind,
)
from roofops.web.route_map import Place, RouteIn, StopIn


@dataclass(frozen=True)
class PendingEvent:
    id: uuid.UUID
    summary: str


def pending_events(db: Session) -> list[PendingEvent]:
    """Crew-out and other events no re-plan has answered yet, newest first."""
    return [
        PendingEvent(event.id, event_summary(event, name))
        for event, name in dispatch_service.unanswered_events(db)
    ]


def event_summary(event: DispatchEvent, crew_name: str | None) -> str:
    who = crew_name or "A crew"
    when = event.starts_on.strftime("%b %-d") if event.starts_on else "today"
    days = f" for {event.days} working day{'' if event.days == 1 else 's'}" if event.days else ""
    note = f" ({event.note})" if event.note else ""
    what = str(event.kind).replace("_", " ")
    return f"{who}: {what} from {when}{days}{note}"


@dataclass(frozen=True)
class DayMap:
    """The day's routes plan (its draft if one is being made, else the published one), each
    crew's stops in order, and the visits left out with why."""

    plan: DispatchPlan | None
    routes: list[RouteIn]
    left_out: list[str]


def routes_of_day(db: Session, day: date) -> DayMap:
    current = day_routes.current(db, day)
    visits = [s for s in current.stops if s.kind == StopKind.VISIT] if current else []
    jobs = dispatch_service.jobs_with_sites(db, {s.job_id for s in visits if s.job_id is not None})
    sites = {job.id: (job, job.property) for job in jobs}
    stops: dict[uuid.UUID, list[StopIn]] = defaultdict(list)
    left_out: list[str] = []
    for stop in visits:
        job, prop = sites[stop.job_id] if stop.job_id else (None, None)
        if job is None or prop is None:
            continue
        if stop.crew_id is None or prop.latitude is None or prop.longitude is None:
            left_out.append(f"{job.number}: {stop.reason or 'no location'}")
            continue
        label = f"{job.number} · {_clock(stop.start_minute)}, {prop.address_line1}"
        stops[stop.crew_id].append(StopIn(Place(prop.latitude, prop.longitude), label))
    routes = [_route(crew, stops[crew.id]) for crew in dispatch_service.crews(db, stops)]
    return DayMap(current.plan if current else None, routes, left_out)


def _route(crew: Crew, stops: list[StopIn]) -> RouteIn:
    home = None
    if crew.home_latitude is not None and crew.home_longitude is not None:
        home = Place(crew.home_latitude, crew.home_longitude)
    return RouteIn(crew.id, crew.name, crew.color, home, stops)


def _clock(minute: int | None) -> str:
    if minute is None:
        return "—"
    hour, rest = divmod(minute, 60)
    return f"{(hour - 1) % 12 + 1}:{rest:02d} {'AM' if hour < 12 else 'PM'}"
