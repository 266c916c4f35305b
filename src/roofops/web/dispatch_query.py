"""What the dispatch board reads: crews, their days off, the published plan and the draft (with
what the draft changes), the unscheduled queue, events waiting for a re-plan, a day's routes.

Read-only queries for this page alone (the dispatch service owns every change)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from roofops.dispatch.day_routes import day_routes
from roofops.models import Crew, Job, Property
from roofops.models.dispatch import (
    CrewTimeOff,
    DispatchEvent,
    DispatchPlan,
    Holiday,
    PlanKind,
    PlanStatus,
    ScheduleEntry,
    StopKind,
    TimeOffKind,
)
from roofops.web.dispatch_grid import CrewInput, CrewRow, Day, Placement, crew_row, window
from roofops.web.route_map import Place, RouteIn, StopIn

OFF_LABELS = {
    TimeOffKind.TIME_OFF: "Time off",
    TimeOffKind.SICK: "Sick",
    TimeOffKind.CREW_OUT: "Crew out",
}


@dataclass(frozen=True)
class QueueItem:
    job_id: uuid.UUID
    phase: str
    job_number: str
    address: str
    reason: str
    skill: str = ""
    promised_by: date | None = None


@dataclass(frozen=True)
class PendingEvent:
    id: uuid.UUID
    summary: str


@dataclass(frozen=True)
class PlanState:
    """The schedule the crews work from, and the draft being made, if any."""

    published: DispatchPlan | None
    draft: DispatchPlan | None


@dataclass(frozen=True)
class BoardView:
    days: list[Day]
    rows: list[CrewRow]
    queue: list[QueueItem]
    plans: PlanState


@dataclass(frozen=True)
class _Entry:
    entry: ScheduleEntry
    job: Job
    address: str


def board_view(db: Session, start: date, count: int) -> BoardView:
    crews = _crews(db)
    days = _days(db, start, count, crews)
    plans = plan_state(db)
    published, draft = plans.published, plans.draft
    shown = draft or published
    entries = _entries(db, shown.id) if shown else []
    before = _positions(_entries(db, published.id)) if draft and published else {}
    placements = _placements(entries, before if draft else None)
    off = _time_off(db, crews, days)
    rows = [
        crew_row(_crew_input(crew, placements.get(crew.id, []), off[crew.id]), days)
        for crew in crews
    ]
    return BoardView(days, rows, _queue(entries), plans)


def plan_state(db: Session) -> PlanState:
    return PlanState(_plan(db, PlanStatus.PUBLISHED), _plan(db, PlanStatus.DRAFT))


def _crews(db: Session) -> list[Crew]:
    query = (
        sa.select(Crew)
        .where(Crew.is_active.is_(True))
        .options(selectinload(Crew.skills))
        .order_by(Crew.name)
    )
    return list(db.scalars(query))


def _days(db: Session, start: date, count: int, crews: Sequence[Crew]) -> list[Day]:
    dates = window(start, count)
    query = sa.select(Holiday.on, Holiday.name).where(Holiday.on.between(dates[0], dates[-1]))
    holidays = dict(db.execute(query).all())
    open_weekdays = {digit for crew in crews for digit in crew.working_weekdays} or set("12345")
    return [Day(on, closed=_closed(on, holidays, open_weekdays)) for on in dates]


def _closed(on: date, holidays: dict[date, str], open_weekdays: set[str]) -> str:
    if on in holidays:
        return holidays[on]
    return "" if str(on.isoweekday()) in open_weekdays else on.strftime("%A")


def _plan(db: Session, status: PlanStatus) -> DispatchPlan | None:
    query = (
        sa.select(DispatchPlan)
        .where(DispatchPlan.kind == PlanKind.SCHEDULE, DispatchPlan.status == status)
        .order_by(DispatchPlan.created_at.desc())
        .limit(1)
    )
    return db.scalars(query).first()


def _entries(db: Session, plan_id: uuid.UUID) -> list[_Entry]:
    query = (
        sa.select(ScheduleEntry, Job, Property)
        .join(Job, Job.id == ScheduleEntry.job_id)
        .join(Property, Property.id == Job.property_id)
        .where(ScheduleEntry.plan_id == plan_id)
        .order_by(Job.number, ScheduleEntry.phase)
    )
    return [_Entry(entry, job, prop.one_line) for entry, job, prop in db.execute(query)]


Position = tuple[uuid.UUID | None, date | None]


def _positions(entries: Iterable[_Entry]) -> dict[tuple[uuid.UUID, str], Position]:
    return {(e.entry.job_id, e.entry.phase): (e.entry.crew_id, e.entry.starts_on) for e in entries}


def _placements(
    entries: Iterable[_Entry], before: dict[tuple[uuid.UUID, str], Position] | None
) -> dict[uuid.UUID, list[Placement]]:
    """Scheduled entries per crew; against the published plan when the board shows a draft."""
    by_crew: dict[uuid.UUID, list[Placement]] = defaultdict(list)
    for item in entries:
        entry = item.entry
        if entry.crew_id is None or entry.starts_on is None or entry.ends_on is None:
            continue
        by_crew[entry.crew_id].append(
            Placement(
                job_id=entry.job_id,
                phase=str(entry.phase),
                job_number=item.job.number,
                address=item.address,
                starts_on=entry.starts_on,
                ends_on=entry.ends_on,
                reason=entry.reason,
                locked=entry.locked,
                in_progress=entry.in_progress,
                change=_change(before, entry),
                skill=str(item.job.material),
            )
        )
    return by_crew


def _change(before: dict[tuple[uuid.UUID, str], Position] | None, entry: ScheduleEntry) -> str:
    if before is None:
        return ""
    was = before.get((entry.job_id, entry.phase))
    if was is None or was[0] is None:
        return "added"
    return "" if was == (entry.crew_id, entry.starts_on) else "moved"


def _queue(entries: Iterable[_Entry]) -> list[QueueItem]:
    return [
        QueueItem(
            job_id=item.job.id,
            phase=str(item.entry.phase),
            job_number=item.job.number,
            address=item.address,
            reason=item.entry.reason,
            skill=str(item.job.material),
        )
        for item in entries
        if item.entry.crew_id is None
    ]


def _time_off(
    db: Session, crews: Sequence[Crew], days: Sequence[Day]
) -> dict[uuid.UUID, dict[date, str]]:
    """Each crew's days off in the window: time off, and weekdays it does not work."""
    first, last = days[0].on, days[-1].on
    off: dict[uuid.UUID, dict[date, str]] = {
        crew.id: {
            day.on: "Not a working day"
            for day in days
            if not day.closed and str(day.on.isoweekday()) not in crew.working_weekdays
        }
        for crew in crews
    }
    query = sa.select(CrewTimeOff).where(
        CrewTimeOff.starts_on <= last, CrewTimeOff.ends_on >= first
    )
    for absence in db.scalars(query):
        label = OFF_LABELS.get(absence.kind, "Off")
        for offset in range((absence.ends_on - absence.starts_on).days + 1):
            off.setdefault(absence.crew_id, {})[absence.starts_on + timedelta(days=offset)] = label
    return off


def _crew_input(crew: Crew, placements: list[Placement], off: dict[date, str]) -> CrewInput:
    skills = tuple(sorted(skill.code for skill in crew.skills))
    return CrewInput(crew.id, crew.name, crew.color, skills, placements, off)


def pending_events(db: Session) -> list[PendingEvent]:
    """Crew-out and other events no re-plan has answered yet, newest first."""
    query = (
        sa.select(DispatchEvent, Crew.name)
        .outerjoin(Crew, Crew.id == DispatchEvent.crew_id)
        .where(DispatchEvent.plan_id.is_(None))
        .order_by(DispatchEvent.created_at.desc())
        .limit(10)
    )
    return [PendingEvent(event.id, event_summary(event, name)) for event, name in db.execute(query)]


def event_summary(event: DispatchEvent, crew_name: str | None) -> str:
    who = crew_name or "A crew"
    when = event.starts_on.strftime("%b %-d") if event.starts_on else "today"
    days = f" for {event.days} working day{'' if event.days == 1 else 's'}" if event.days else ""
    note = f" ({event.note})" if event.note else ""
    what = str(event.kind).replace("_", " ")
    return f"{who}: {what} from {when}{days}{note}"


def routes_of_day(db: Session, day: date) -> tuple[list[RouteIn], list[str]]:
    """The day's routes (its draft if one is being made, else the published ones): each crew's
    stops in order, and the visits left out with why."""
    current = day_routes.current(db, day)
    visits = [s for s in current.stops if s.kind == StopKind.VISIT] if current else []
    sites = _sites(db, {stop.job_id for stop in visits if stop.job_id is not None})
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
    crews = db.scalars(sa.select(Crew).where(Crew.id.in_(stops)).order_by(Crew.name))
    return [_route(crew, stops[crew.id]) for crew in crews], left_out


def _sites(db: Session, job_ids: set[uuid.UUID]) -> dict[uuid.UUID, tuple[Job, Property]]:
    query = (
        sa.select(Job, Property)
        .join(Property, Property.id == Job.property_id)
        .where(Job.id.in_(job_ids))
    )
    return {job.id: (job, prop) for job, prop in db.execute(query)}


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


@dataclass(frozen=True)
class Change:
    """One line of the plan difference: what moves, from where to where, and why."""

    kind: str  # moved, added, unscheduled, removed
    job_id: uuid.UUID
    job_number: str
    phase: str
    before: str
    after: str
    why: str


def draft_changes(db: Session) -> list[Change] | None:
    """The draft against the published plan; None when there is no draft."""
    draft = _plan(db, PlanStatus.DRAFT)
    if draft is None:
        return None
    published = _plan(db, PlanStatus.PUBLISHED)
    crews = dict(db.execute(sa.select(Crew.id, Crew.name)).all())
    old = {_key(e): e for e in _entries(db, published.id)} if published else {}
    new = {_key(e): e for e in _entries(db, draft.id)}
    changes = [_compare(old.get(key), item, crews) for key, item in new.items()]
    changes += [_removed(item, crews) for key, item in old.items() if key not in new]
    return sorted((c for c in changes if c is not None), key=lambda c: (c.kind, c.job_number))


def _key(item: _Entry) -> tuple[uuid.UUID, str]:
    return item.entry.job_id, str(item.entry.phase)


def _compare(old: _Entry | None, new: _Entry, crews: dict[uuid.UUID, str]) -> Change | None:
    was = _where(old.entry, crews) if old else ""
    now = _where(new.entry, crews)
    if was == now:
        return None
    kind = "unscheduled" if not now else "moved" if was else "added"
    job, phase = new.job, str(new.entry.phase)
    return Change(kind, job.id, job.number, phase, was, now, new.entry.reason)


def _removed(old: _Entry, crews: dict[uuid.UUID, str]) -> Change | None:
    was = _where(old.entry, crews)
    if not was:
        return None
    why = "Not in the draft: the job no longer needs scheduling."
    return Change("removed", old.job.id, old.job.number, str(old.entry.phase), was, "", why)


def _where(entry: ScheduleEntry, crews: dict[uuid.UUID, str]) -> str:
    """'Crew A, Dec 7 to Dec 9'; empty when unscheduled."""
    if entry.crew_id is None or entry.starts_on is None:
        return ""
    first = entry.starts_on.strftime("%b %-d")
    last = entry.ends_on.strftime("%b %-d") if entry.ends_on else first
    days = first if last == first else f"{first} to {last}"
    return f"{crews.get(entry.crew_id, 'a crew')}, {days}"
