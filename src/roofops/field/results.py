"""Each crew's state today, as the operations dashboard and the crew page show it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from roofops.kit.types import StrEnum


class CrewState(StrEnum):
    """Where a crew stands today. The first five are the dashboard's states; a crew with no
    work today is ``off`` (time off, holiday, not a working weekday) or ``idle``."""

    SCHEDULED = "scheduled"  # work planned today, nothing reported yet
    EN_ROUTE = "en_route"
    ON_SITE = "on_site"
    FINISHED = "finished"  # finished today's work (the job may go on tomorrow)
    BLOCKED = "blocked"  # reported a problem it cannot work past (weather, materials, access)
    OFF = "off"
    IDLE = "idle"


@dataclass(frozen=True)
class PlannedWork:
    """One job on a crew's day, from the published plan (schedule entry or route stop)."""

    job_id: uuid.UUID
    job_number: str
    job_name: str
    address: str
    latitude: float | None
    longitude: float | None
    phase: str  # the schedule phase (tear_off, install, ...) or the route stop kind ("visit")
    start_minute: int | None  # a route stop's planned start, minutes after local midnight


@dataclass(frozen=True)
class CrewDayState:
    crew_id: uuid.UUID
    crew_name: str
    color: str  # the crew's colour (CSS), as the map and the board draw it
    branch_id: uuid.UUID  # the branch the crew works for today (a lent crew: the borrower's)
    day: date
    state: CrewState
    job_id: uuid.UUID | None  # the job the last report was about, else the first planned job
    since: datetime | None  # when the last report was made (None: nothing reported today)
    note: str  # the last report's note ("waiting on drip edge delivery")
    planned: tuple[PlannedWork, ...]
