"""The published schedule, read one way by everyone who works from it: the field's crew days,
the operations dashboard, dispatch's own day routes (which crews are on a roof) and the
customer portal (a homeowner's scheduled days)."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import date

from sqlalchemy.orm import Session

from roofops.dispatch.field_repository import FieldRepository
from roofops.models.dispatch import ScheduleEntry


def published_schedule(
    db: Session,
    first: date | None = None,
    last: date | None = None,
    *,
    job_ids: Collection[uuid.UUID] | None = None,
) -> list[ScheduleEntry]:
    """The published schedule's entries (crewed or not), those overlapping ``first..last``
    and of ``job_ids`` when given, by start day and phase."""
    return FieldRepository(db).published_schedule(first, last, job_ids=job_ids)
