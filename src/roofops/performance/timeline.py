"""A job's stage history as a timeline: when it first reached a stage, and its stage visits.

Pure: built from (job, stage, occurred_at) rows in order; the company's calendar turns instants
into the days a contractor counts in.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from roofops.kit.time import as_utc
from roofops.models.enums import JobStage


@dataclass(frozen=True)
class Calendar:
    """The company's time zone: days are its days, a period's ends are its midnights."""

    zone: ZoneInfo

    def day_of(self, instant: datetime) -> date:
        return as_utc(instant).astimezone(self.zone).date()

    def start_of(self, day: date) -> datetime:
        """The instant ``day`` begins, as an aware datetime."""
        return datetime.combine(day, time.min, tzinfo=self.zone)

    def end_of(self, day: date) -> datetime:
        """The instant the day after ``day`` begins (periods are inclusive of their last day)."""
        return self.start_of(day + timedelta(days=1))


@dataclass(frozen=True)
class Visit:
    """A stretch a job spent in one stage: from the move into it to the next move."""

    job_id: uuid.UUID
    stage: JobStage
    started: datetime
    ended: datetime | None  # None: still there


@dataclass(frozen=True)
class Timeline:
    job_id: uuid.UUID
    moves: tuple[tuple[JobStage, datetime], ...]  # in the order they happened

    @property
    def entered(self) -> datetime:
        """When the job first appeared in the pipeline (its first move)."""
        return self.moves[0][1]

    def first_at(self, stages: Collection[JobStage]) -> datetime | None:
        """When the job first moved into any of ``stages``; None if it never did."""
        return next((at for stage, at in self.moves if stage in stages), None)

    def visits(self) -> list[Visit]:
        ends = [at for _, at in self.moves[1:]] + [None]
        return [
            Visit(self.job_id, stage, started, ended)
            for (stage, started), ended in zip(self.moves, ends, strict=True)
        ]


def timelines(rows: Iterable[Sequence[Any]]) -> dict[uuid.UUID, Timeline]:
    """One timeline per job from (job, stage, occurred_at) rows ordered by job, then time."""
    moves: dict[uuid.UUID, list[tuple[JobStage, datetime]]] = {}
    for job_id, stage, occurred_at in rows:
        moves.setdefault(job_id, []).append((stage, as_utc(occurred_at)))
    return {job_id: Timeline(job_id, tuple(found)) for job_id, found in moves.items()}
