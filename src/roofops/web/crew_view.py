"""What the crew page shows of a crew's day: one card per planned job with its last report,
its photos and the ways to get there, and the coming days in short."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import quote, urlencode

from sqlalchemy.orm import Session

from roofops.field.photos import photo_service, photo_url
from roofops.field.results import CrewDayState, CrewState, PlannedWork
from roofops.field.service import CrewDay, PendingChange, field_service
from roofops.models.crew import Crew
from roofops.models.field import FieldReport, FieldStatus, JobPhoto
from roofops.web.formatting import humanize

COMING_DAYS = 6
PHOTOS_ON_CARD = 3
# The buttons of a job card, in the order a day goes.
BUTTONS: tuple[tuple[FieldStatus, str], ...] = (
    (FieldStatus.EN_ROUTE, "On the way"),
    (FieldStatus.ON_SITE, "Start work"),
    (FieldStatus.FINISHED, "Finish for today"),
    (FieldStatus.BLOCKED, "Blocked"),
)
STATE_LABELS: dict[CrewState, str] = {
    CrewState.SCHEDULED: "Scheduled",
    CrewState.EN_ROUTE: "On the way",
    CrewState.ON_SITE: "On site",
    CrewState.FINISHED: "Finished for today",
    CrewState.BLOCKED: "Blocked",
    CrewState.OFF: "Off today",
    CrewState.IDLE: "No work planned",
}


def clock(minute: int) -> str:
    """Minutes after local midnight as a phone shows time: 7:30 AM."""
    hours, minutes = divmod(minute, 60)
    suffix = "AM" if hours < 12 else "PM"
    return f"{(hours - 1) % 12 + 1}:{minutes:02d} {suffix}"


@dataclass(frozen=True)
class PhotoThumb:
    url: str
    caption: str


@dataclass(frozen=True)
class CardExtras:
    """What a card shows after an action: a refusal with what was typed, or a confirmation."""

    error: str = ""
    notice: str = ""
    form: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class JobCard:
    crew_id: uuid.UUID
    work: PlannedWork
    report: FieldReport | None
    photos: tuple[PhotoThumb, ...]
    shift_start_minute: int
    extras: CardExtras = CardExtras()

    @property
    def dom_id(self) -> str:
        return f"job-{self.work.job_id}"

    @property
    def phase(self) -> str:
        return humanize(self.work.phase)

    @property
    def planned_start(self) -> str:
        if self.work.start_minute is not None:
            return clock(self.work.start_minute)
        return f"{clock(self.shift_start_minute)} (shift start)"

    @property
    def status_label(self) -> str:
        if self.report is None:
            return "Not started"
        return STATE_LABELS[CrewState(self.report.status.value)]

    @property
    def directions_url(self) -> str:
        """Turn-by-turn directions in the phone's browser or maps app."""
        target = self._coordinates or self.work.address
        return "https://www.google.com/maps/dir/?" + urlencode({"api": 1, "destination": target})

    @property
    def geo_url(self) -> str | None:
        """A geo: link the phone's own maps app opens (Android; iOS ignores it)."""
        if self._coordinates is None:
            return None
        return f"geo:{self._coordinates}?q={self._coordinates}({quote(self.work.job_name)})"

    @property
    def _coordinates(self) -> str | None:
        if self.work.latitude is None or self.work.longitude is None:
            return None
        return f"{self.work.latitude:.6f},{self.work.longitude:.6f}"


@dataclass(frozen=True)
class CrewPageView:
    crew: Crew
    today: CrewDayState
    cards: list[JobCard]
    coming: list[CrewDayState]
    pending: list[PendingChange]

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.today.state]


def crew_page_view(
    db: Session, crew_id: uuid.UUID, day: date, extras: dict[uuid.UUID, CardExtras]
) -> CrewPageView:
    """The crew's page on ``day``; ``extras`` by job id (a refused action's card)."""
    days = field_service.crew_days(db, crew_id, day, COMING_DAYS + 1)
    today = days[0]
    work = _today_work(db, today, also=list(extras))
    photos = photo_service.latest_of_jobs(db, [w.job_id for w in work], PHOTOS_ON_CARD)
    return CrewPageView(
        crew=today.crew,
        today=today.state,
        cards=[
            _card(today, w, photos.get(w.job_id, []), extras.get(w.job_id, CardExtras()))
            for w in work
        ],
        coming=[later.state for later in days[1:]],
        pending=field_service.pending_changes(db, crew_id),
    )


@dataclass(frozen=True)
class CardUpdate:
    """One card after an action, and the crew's state for the pill at the top."""

    card: JobCard
    today: CrewDayState

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.today.state]


def card_view(
    db: Session, crew_id: uuid.UUID, day: date, job_id: uuid.UUID, extras: CardExtras
) -> CardUpdate:
    today = field_service.crew_days(db, crew_id, day, 1)[0]
    work = next(w for w in _today_work(db, today, also=[job_id]) if w.job_id == job_id)
    photos = photo_service.latest_of_jobs(db, [job_id], PHOTOS_ON_CARD).get(job_id, [])
    return CardUpdate(_card(today, work, photos, extras), today.state)


def _card(day: CrewDay, work: PlannedWork, photos: list[JobPhoto], extras: CardExtras) -> JobCard:
    return JobCard(
        crew_id=day.crew.id,
        work=work,
        report=day.last_reports.get(work.job_id),
        photos=tuple(PhotoThumb(photo_url(p.job_id, p.id), p.caption) for p in photos),
        shift_start_minute=day.crew.shift_start_minute,
        extras=extras,
    )


def _today_work(db: Session, day: CrewDay, also: list[uuid.UUID]) -> list[PlannedWork]:
    """The planned jobs, then the jobs the crew reported on (or acted on: ``also``) outside
    the plan, such as a call-out the dispatcher phoned in, so their cards stay on the page."""
    planned = list(day.state.planned)
    known = {work.job_id for work in planned}
    extra = [job_id for job_id in [*day.last_reports, *also] if job_id not in known]
    return planned + field_service.unplanned_work(db, extra)
