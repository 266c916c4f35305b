"""What a published plan changed for the field: which crews' work and which customers' dates.

Acknowledgements (which crews must confirm) and notifications (whom to tell) both start here,
so a crew is asked to acknowledge exactly the change it was told about.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from roofops.models.dispatch import ScheduleEntry

VISIT_PHASE = "visit"  # a route stop's work, beside a schedule entry's "install" or "gutters"
# A visit that slides by less than this is no news: the crew and the customer are told (and
# the crew asked to acknowledge) when work changes crew or day, or a visit moves by this much.
RETIME_MINUTES = 30


@dataclass(frozen=True)
class Placement:
    """Where one piece of work sits in a plan: a phase on a crew's days, or a timed visit."""

    job_id: uuid.UUID
    phase: str
    crew_id: uuid.UUID
    starts_on: date
    ends_on: date
    start_minute: int | None = None  # visits only

    @classmethod
    def of_entry(cls, entry: ScheduleEntry) -> Placement:
        """A crewed schedule entry's place (an entry without a crew or days has none)."""
        assert entry.crew_id is not None
        assert entry.starts_on
        assert entry.ends_on
        return cls(
            job_id=entry.job_id,
            phase=entry.phase.value,
            crew_id=entry.crew_id,
            starts_on=entry.starts_on,
            ends_on=entry.ends_on,
        )

    @property
    def key(self) -> tuple[uuid.UUID, str]:
        return (self.job_id, self.phase)

    def same_time(self, other: Placement) -> bool:
        """Same days and, for a visit, a start less than RETIME_MINUTES apart."""
        if (self.starts_on, self.ends_on) != (other.starts_on, other.ends_on):
            return False
        if self.start_minute is None or other.start_minute is None:
            return self.start_minute == other.start_minute
        return abs(self.start_minute - other.start_minute) < RETIME_MINUTES

    def same_as(self, other: Placement) -> bool:
        return self.crew_id == other.crew_id and self.same_time(other)


@dataclass(frozen=True)
class WorkChange:
    """One piece of work that is new, moved (crew or time) or taken off the plan."""

    job_id: uuid.UUID
    phase: str
    before: Placement | None
    after: Placement | None

    @property
    def crews(self) -> frozenset[uuid.UUID]:
        """The crews whose work this changes: the one that loses it and the one that gets it."""
        return frozenset(p.crew_id for p in (self.before, self.after) if p is not None)

    @property
    def moves_the_customer(self) -> bool:
        """The customer hears of new dates or times, not of a swap of crews on the same days."""
        if self.before is None or self.after is None:
            return True
        return not self.before.same_time(self.after)


def compare(before: Iterable[Placement], after: Iterable[Placement]) -> list[WorkChange]:
    """Every piece of work new, gone, or moved (another crew or day, or a visit retimed by
    RETIME_MINUTES or more) between two plans, in job and phase order."""
    old = _by_key(before)
    new = _by_key(after)
    changes = [
        WorkChange(job_id, phase, old.get((job_id, phase)), new.get((job_id, phase)))
        for job_id, phase in sorted(old.keys() | new.keys(), key=lambda k: (str(k[0]), k[1]))
    ]
    return [change for change in changes if not _unmoved(change.before, change.after)]


def _unmoved(before: Placement | None, after: Placement | None) -> bool:
    return before is not None and after is not None and before.same_as(after)


def crews_changed(changes: Iterable[WorkChange]) -> frozenset[uuid.UUID]:
    return frozenset(crew for change in changes for crew in change.crews)


def _by_key(placements: Iterable[Placement]) -> Mapping[tuple[uuid.UUID, str], Placement]:
    return {placement.key: placement for placement in placements}
