"""The demo's activity feeds: a few days of notes between the demo's people on jobs in
production, with @mentions, and the notifications those made (read unless they are from
today; no e-mail: it is history, not news).

Runs after the sign-ins exist (the notes are theirs and mention them), in the build's
transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from roofops.activity.service import activity_service
from roofops.auth.principal import Principal
from roofops.auth.service import principal_for, user_service
from roofops.demo import catalog
from roofops.exceptions import ConfigurationError
from roofops.job.service import JobFilters, job_service
from roofops.kit.paging import PageRequest
from roofops.models import ActorType, JobStage, Role
from roofops.notification.service import notification_service

WORKING = (
    JobStage.IN_PRODUCTION,
    JobStage.SCHEDULED,
    JobStage.MATERIALS_ORDERED,
    JobStage.CONTRACT_SIGNED,
)


@dataclass(frozen=True)
class DemoNote:
    job: int  # which of the jobs in production (by list order; a small demo has few)
    by: Role
    days_ago: int
    hour: int
    body: str


NOTES = (
    DemoNote(
        0,
        Role.DISPATCHER,
        2,
        7,
        '@"Carlos Crewlead" the shingle drop moved to 7 am; the '
        "homeowner leaves the side gate open.",
    ),
    DemoNote(
        0,
        Role.CREW_LEAD,
        1,
        11,
        "@dispatcher two sheets of rotted decking on the north "
        "slope. Replacing them today, about an hour extra.",
    ),
    DemoNote(
        0,
        Role.OFFICE,
        1,
        13,
        '@"Demo Admin" the decking is a supplement for the carrier; '
        "photos are in the claim folder.",
    ),
    DemoNote(
        1,
        Role.OFFICE,
        3,
        9,
        '@"Fiona Finance" the carrier approved the drip edge '
        "supplement. Paperwork is in the claim folder.",
    ),
    DemoNote(
        1,
        Role.FINANCE,
        2,
        15,
        '@"Olivia Office" thanks, I will raise the supplement invoice when the crew finishes.',
    ),
    DemoNote(
        2,
        Role.OFFICE,
        0,
        8,
        "Homeowner asked for a call 30 minutes before the crew "
        'arrives. @"Dean Dispatcher" can you put it in the route notes? @"Demo Admin" FYI.',
    ),
    DemoNote(
        3,
        Role.DISPATCHER,
        1,
        16,
        "Weather hold tomorrow morning if the wind stays over "
        '25 mph. @"Carlos Crewlead" check the board at 6.',
    ),
)


def add_demo_notes(db: Session, as_of: date, emails: Mapping[Role, str]) -> int:
    """The notes of NOTES on the first jobs in production, by the demo sign-ins (``emails``,
    one per role); how many were written."""
    page = job_service.list(db, JobFilters(stages=WORKING), PageRequest(page=1, size=10))
    jobs = list(page.items)
    written = 0
    for note in NOTES if jobs else ():
        at = _moment(as_of, note.days_ago, note.hour)
        by = _person(db, emails[note.by])
        job_id = jobs[note.job % len(jobs)].id
        activity_service.add_note(db, by, job_id, note.body, occurred_at=at, mail=False)
        written += 1
    _read_the_old_ones(db, as_of, emails.values())
    return written


def _person(db: Session, email: str) -> Principal:
    user = user_service.find_by_email(db, email)
    if user is None:
        raise ConfigurationError(f"the demo sign-in {email} is missing")
    return principal_for(user, actor_type=ActorType.USER)


def _moment(as_of: date, days_ago: int, hour: int) -> datetime:
    local = datetime.combine(as_of - timedelta(days=days_ago), time(hour))
    return local.replace(tzinfo=ZoneInfo(catalog.TIME_ZONE))


def _read_the_old_ones(db: Session, as_of: date, emails: Iterable[str]) -> None:
    """What came before today has been seen; today's mentions are still new."""
    cutoff = _moment(as_of, 0, 0)
    for email in emails:
        principal = _person(db, email)
        inbox = notification_service.inbox(db, principal, 200)
        old = [row.id for row in inbox.notifications if row.created_at < cutoff]
        notification_service.mark_read(db, principal, old)
