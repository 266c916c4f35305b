"""The published schedule, read one way by everyone who works from it: the field's crew days,
the operations dashboard and dispatch's own day routes (which crews are on a roof)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from roofops.dispatch.field_repository import FieldRepository
from roofops.models.dispatch import ScheduleEntry


def published_schedule(
    db: Session, first: date | None = None, last: date | None = None
) -> list[ScheduleEntry]:
    """The published schedule's entries (crewed or not), those overlapping ``first..last``
    when given, by start day and phase."""
    return FieldRepository(db).published_schedule(first, last)
