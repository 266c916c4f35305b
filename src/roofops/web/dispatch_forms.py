"""Form bodies of the dispatch board: raw strings, read into typed values with a sentence for
each mistake (a refusal shows in the board's alert region, never as a validation error page)."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel

from roofops.exceptions import ValidationFailed
from roofops.models.dispatch import Phase
from roofops.web.forms import FormText

MAX_DAYS_OUT = 30


def form_uuid(raw: str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise ValidationFailed(f"choose the {field.replace('_', ' ')}", field=field) from None


def form_date(raw: str, field: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed("enter a date as YYYY-MM-DD", field=field) from None


class BoardQuery(BaseModel):
    """The board's query string, read leniently (the page falls back to its defaults)."""

    start: str = ""
    days: str = ""
    branch: str = ""


class WindowFields(BaseModel):
    """The board's window, carried by every form that re-renders the board."""

    window_start: FormText = ""
    window_days: FormText = ""
    window_branch: FormText = ""


class PlacementForm(WindowFields):
    """A move (drag and drop, or the Move… dialog) or a lock: a job's phase, a crew, a day."""

    job_id: FormText = ""
    phase: FormText = ""
    crew_id: FormText = ""
    start_on: FormText = ""
    lock: bool = True  # the lock form: False unlocks

    def job(self) -> uuid.UUID:
        return form_uuid(self.job_id, "job_id")

    def the_phase(self) -> Phase:
        try:
            return Phase(self.phase)
        except ValueError:
            raise ValidationFailed("that is not a production phase", field="phase") from None

    def crew(self) -> uuid.UUID:
        return form_uuid(self.crew_id, "crew_id")

    def day(self) -> date:
        return form_date(self.start_on, "start_on")


class CrewOutForm(BaseModel):
    crew_id: FormText = ""
    starts_on: FormText = ""
    days: FormText = "1"
    note: FormText = ""

    def working_days(self) -> int:
        count = int(self.days) if self.days.isdigit() else 0
        if not 1 <= count <= MAX_DAYS_OUT:
            raise ValidationFailed(
                f"a crew is out for 1 to {MAX_DAYS_OUT} working days", field="days"
            )
        return count


class RoutesForm(BaseModel):
    """A day's routes: plan them, or publish or discard the day's draft."""

    day: FormText = ""
    plan_id: FormText = ""

    def the_day(self) -> date:
        return form_date(self.day, "day")

    def plan(self) -> uuid.UUID:
        return form_uuid(self.plan_id, "plan_id")
