"""A crew's calendar feed (iCalendar): its published work days and its route stops.

Phones subscribe to the feed's URL and fetch it again every few hours. An event's UID names the
work it stands for, never the plan it came from (a job's phase for production days, a job on a
date for a route visit), so a re-published plan that moves a job *updates* the event on the
phone instead of adding a second one; work taken off the crew disappears with the next fetch.
"""

from __future__ import annotations

import hmac
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from roofops.audit.service import audit_service
from roofops.auth.principal import Principal
from roofops.dispatch.field_repository import FieldRepository, JobContact
from roofops.dispatch.local_time import company_now
from roofops.exceptions import NotFound
from roofops.kit.crypto import random_token, sha256_hex
from roofops.kit.time import utcnow
from roofops.models.dispatch import RouteStop, ScheduleEntry

if TYPE_CHECKING:
    from icalendar import Event

UID_DOMAIN = "roofops"
FEED_PAST = timedelta(days=7)  # last week's work stays on the phone, older work drops off
Contacts = dict[uuid.UUID, JobContact]
PRODUCT_ID = "-//roofops//crew schedule//EN"


@dataclass(frozen=True)
class WorkDays:
    """A published schedule entry: one phase of a job on consecutive working days."""

    job_id: uuid.UUID
    job_number: str
    job_name: str
    address: str
    phase: str
    starts_on: date
    ends_on: date  # inclusive
    work_days: tuple[date, ...]
    published_at: datetime  # the event's DTSTAMP: when this version of the work was decided


@dataclass(frozen=True)
class VisitSlot:
    """A published route stop: a timed visit on one day."""

    job_id: uuid.UUID
    job_number: str
    job_name: str
    address: str
    route_date: date
    start_minute: int
    departure_minute: int
    published_at: datetime


@dataclass(frozen=True)
class CrewFeed:
    crew_name: str
    time_zone: str
    work: tuple[WorkDays, ...]
    visits: tuple[VisitSlot, ...]


def work_uid(job_id: uuid.UUID, phase: str) -> str:
    return f"work-{job_id}-{phase}@{UID_DOMAIN}"


def visit_uid(job_id: uuid.UUID, on: date) -> str:
    return f"visit-{job_id}-{on.isoformat()}@{UID_DOMAIN}"


def render_feed(feed: CrewFeed) -> bytes:
    """The feed as an ``.ics`` document (RFC 5545), with the time zone its visits are in."""
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{feed.crew_name} schedule")
    calendar.add("x-wr-timezone", feed.time_zone)
    # Subscribed calendars that honour it re-fetch hourly instead of once a day.
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")  # the same for Outlook and older Apple calendars
    for work in feed.work:
        calendar.add_component(_work_event(work))
    zone = ZoneInfo(feed.time_zone)
    for visit in feed.visits:
        calendar.add_component(_visit_event(visit, zone))
    if feed.visits:
        calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def _work_event(work: WorkDays) -> Event:
    from icalendar import Event

    event = Event()
    event.add("uid", work_uid(work.job_id, work.phase))
    event.add("dtstamp", work.published_at)
    event.add("summary", f"{work.job_number} {work.phase}: {work.job_name}")
    event.add("location", work.address)
    # All-day events end on the day after the last one (DTEND is exclusive).
    event.add("dtstart", work.starts_on)
    event.add("dtend", work.ends_on + timedelta(days=1))
    days = ", ".join(f"{day:%a %b} {day.day}" for day in work.work_days)
    event.add("description", f"Job {work.job_number}, {work.phase}. Work days: {days}.")
    event.add("transp", "OPAQUE")
    return event


def _visit_event(visit: VisitSlot, zone: ZoneInfo) -> Event:
    from icalendar import Event

    event = Event()
    event.add("uid", visit_uid(visit.job_id, visit.route_date))
    event.add("dtstamp", visit.published_at)
    event.add("summary", f"{visit.job_number} visit: {visit.job_name}")
    event.add("location", visit.address)
    event.add("dtstart", _at(visit.route_date, visit.start_minute, zone))
    event.add("dtend", _at(visit.route_date, visit.departure_minute, zone))
    event.add("description", f"Job {visit.job_number}: {visit.address}")
    return event


def _at(day: date, minute: int, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone) + timedelta(minutes=minute)


# ----- the feed's service: tokens and reading the published work -----------------------------


@dataclass(frozen=True)
class IssuedToken:
    crew_id: uuid.UUID
    token: str  # shown once: only its SHA-256 is stored


class CrewCalendars:
    def issue_token(self, db: Session, principal: Principal, crew_id: uuid.UUID) -> IssuedToken:
        """A new secret for the crew's feed; the old link stops working at once."""
        crew = FieldRepository(db).crew(crew_id, lock=True)
        token = random_token()
        crew.calendar_token_hash = sha256_hex(token)
        audit_service.record(
            db,
            principal,
            action="crew.calendar_token_issued",
            entity_type="crew",
            entity_id=crew.id,
            reason="a new calendar link was issued; the previous one no longer works",
        )
        db.flush()
        return IssuedToken(crew.id, token)

    def feed(self, db: Session, crew_id: uuid.UUID, token: str) -> bytes:
        """The crew's feed (published work from a week ago on), or 404 for a wrong token: a
        guessed crew id tells nothing about which crews exist."""
        repository = FieldRepository(db)
        crew = repository.crews([crew_id]).get(crew_id)
        if crew is None or not _token_matches(crew.calendar_token_hash, token):
            raise NotFound("no calendar at this address: ask the dispatcher for a new link")
        now = company_now(db)
        since = now.date() - FEED_PAST
        entries = repository.published_entries(crew_id, since)
        stops = repository.published_stops(crew_id, since)
        contacts = repository.job_contacts(
            {entry.job_id for entry, _ in entries}
            | {stop.job_id for stop, _ in stops if stop.job_id}
        )
        return render_feed(
            CrewFeed(
                crew_name=crew.name,
                time_zone=str(now.tzinfo),
                work=tuple(_work(entry, stamp, contacts) for entry, stamp in entries),
                visits=tuple(_slot(stop, stamp, contacts) for stop, stamp in stops),
            )
        )


def _token_matches(stored_hash: str | None, token: str) -> bool:
    return stored_hash is not None and hmac.compare_digest(stored_hash, sha256_hex(token))


def _work(entry: ScheduleEntry, stamp: datetime | None, contacts: Contacts) -> WorkDays:
    contact = contacts[entry.job_id]
    assert entry.starts_on
    assert entry.ends_on
    return WorkDays(
        job_id=entry.job_id,
        job_number=contact.number,
        job_name=contact.name,
        address=contact.address,
        phase=entry.phase.value,
        starts_on=entry.starts_on,
        ends_on=entry.ends_on,
        work_days=tuple(date.fromisoformat(day) for day in entry.work_days),
        published_at=stamp or utcnow(),
    )


def _slot(stop: RouteStop, stamp: datetime | None, contacts: Contacts) -> VisitSlot:
    assert stop.job_id is not None  # the query keeps visits only
    contact = contacts[stop.job_id]
    start = stop.start_minute or 0
    return VisitSlot(
        job_id=stop.job_id,
        job_number=contact.number,
        job_name=contact.name,
        address=contact.address,
        route_date=stop.route_date,
        start_minute=start,
        departure_minute=stop.departure_minute or start,
        published_at=stamp or utcnow(),
    )


crew_calendars = CrewCalendars()
