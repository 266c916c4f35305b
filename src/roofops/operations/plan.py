"""The published schedule read by day and by job: who works what on a day, and when each job's
planned work ends."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from roofops.models.dispatch import Phase, ScheduleEntry


@dataclass(frozen=True)
class PlannedDay:
    job_id: uuid.UUID
    crew_id: uuid.UUID | None
    phase: Phase
    day: date


@dataclass(frozen=True)
class PublishedSchedule:
    work: tuple[PlannedDay, ...]  # one per entry and work day
    planned_end: dict[uuid.UUID, date]  # a job's last planned work day

    @classmethod
    def of(cls, entries: Sequence[ScheduleEntry]) -> PublishedSchedule:
        work = tuple(
            PlannedDay(entry.job_id, entry.crew_id, entry.phase, date.fromisoformat(day))
            for entry in entries
            for day in entry.work_days
        )
        ends: dict[uuid.UUID, date] = {}
        for item in work:
            ends[item.job_id] = max(item.day, ends.get(item.job_id, item.day))
        return cls(work, ends)

    def on(self, *days: date) -> list[PlannedDay]:
        wanted = set(days)
        return [item for item in self.work if item.day in wanted]

    def jobs_on(self, day: date) -> dict[uuid.UUID, set[uuid.UUID]]:
        """Job id -> the crews planned on it that day (empty: no crew placed yet)."""
        crews: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
        for item in self.on(day):
            crews[item.job_id].update({item.crew_id} if item.crew_id else set())
        return dict(crews)
