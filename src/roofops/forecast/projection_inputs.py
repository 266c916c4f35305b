"""What the projections read, and what was known of it at an origin.

The history is read once (jobs with their stage events, invoices, crews and their calendars);
:class:`History` then answers "what did we know on the morning of ``as_of``" in memory, so a
backtest over many origins reads the database once. Days are the company's local days; an event
is known at ``as_of`` when it happened on an earlier day, an invoice when it was issued earlier.

Revenue is invoiced revenue by issue date (docs/forecasting-projections.md). A job that the stage
history says was invoiced but that has no invoice in roofops (its invoices live only in the
books, as the demo company's do until its books are synced) counts its contract amount on the
day it reached ``invoiced``.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from roofops.company.service import company_service
from roofops.dispatch.inputs import PhaseSpec, phases_of
from roofops.forecast.projection_repository import ProjectionRepository
from roofops.models import Crew, Job, JobStage
from roofops.models.dispatch import (
    JobRequirements,
    ScheduleEntry,
)
from roofops.models.enums import PayerKind

S = JobStage
PRE_SALE = frozenset({S.LEAD, S.INSPECTION, S.ESTIMATE})
SOLD_OPEN = frozenset({S.CONTRACT_SIGNED, S.MATERIALS_ORDERED, S.SCHEDULED, S.IN_PRODUCTION})
LOST = frozenset({S.LOST, S.CANCELLED})


@dataclass(frozen=True)
class StageMove:
    stage: JobStage
    day: date


@dataclass(frozen=True)
class JobFacts:
    """One job and its whole stage history (the loader cuts it at an origin)."""

    job: Job
    moves: tuple[StageMove, ...]
    estimate_cents: int | None
    requirements: JobRequirements | None

    @property
    def id(self) -> uuid.UUID:
        return self.job.id

    @property
    def lead_day(self) -> date:
        return self.moves[0].day

    @property
    def insured(self) -> bool:
        return self.job.payer == PayerKind.INSURANCE

    @property
    def phases(self) -> tuple[PhaseSpec, ...]:
        return phases_of(self.job, self.requirements)

    def known(self, as_of: date) -> tuple[StageMove, ...]:
        return tuple(move for move in self.moves if move.day < as_of)

    def stage_at(self, as_of: date) -> StageMove | None:
        """The stage the job was in on the morning of ``as_of`` and the day it entered it."""
        known = self.known(as_of)
        return known[-1] if known else None

    def first(self, stage: JobStage, before: date | None = None) -> date | None:
        return next(
            (m.day for m in self.moves if m.stage == stage and (before is None or m.day < before)),
            None,
        )


@dataclass(frozen=True)
class Money:
    """An amount invoiced on a day (an invoice, or a stage-implied invoice: see above)."""

    job_id: uuid.UUID
    day: date
    cents: int


@dataclass(frozen=True)
class CrewFacts:
    id: uuid.UUID
    created: date
    skills: tuple[str, ...]
    iso_weekdays: frozenset[int]
    hours_per_day: float
    squares_per_day: int
    days_off: frozenset[date]


@dataclass(frozen=True)
class History:
    jobs: tuple[JobFacts, ...]
    money: tuple[Money, ...]
    crews: tuple[CrewFacts, ...]
    holidays: frozenset[date]
    last_day: date  # the last day anything happened

    @cached_property
    def by_id(self) -> dict[uuid.UUID, JobFacts]:
        return {facts.id: facts for facts in self.jobs}

    def money_before(self, as_of: date) -> tuple[Money, ...]:
        return tuple(m for m in self.money if m.day < as_of)

    def crews_at(self, as_of: date) -> tuple[CrewFacts, ...]:
        return tuple(crew for crew in self.crews if crew.created < as_of)


@dataclass(frozen=True)
class PlannedDay:
    """One work day of a published plan: which job and skill, and the crew's hours that day."""

    job_id: uuid.UUID
    skill: str
    day: date
    hours: float


def load_history(db: Session) -> History:
    zone = ZoneInfo(company_service.get(db).time_zone)
    jobs = _jobs(db, zone)
    crews = _crews(db)
    return History(
        jobs=jobs,
        money=_money(db, jobs),
        crews=crews,
        holidays=ProjectionRepository(db).holidays(),
        last_day=max((move.day for facts in jobs for move in facts.moves), default=date.min),
    )


def _local_day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def _jobs(db: Session, zone: ZoneInfo) -> tuple[JobFacts, ...]:
    repository = ProjectionRepository(db)
    moves: dict[uuid.UUID, list[StageMove]] = defaultdict(list)
    for job_id, stage, occurred_at in repository.stage_events():
        moves[job_id].append(StageMove(stage, _local_day(occurred_at, zone)))
    estimates = repository.estimated_contracts()
    requirements = repository.requirements_by_job()
    return tuple(
        JobFacts(job, tuple(moves[job.id]), estimates.get(job.id), requirements.get(job.id))
        for job in repository.jobs()
        if moves[job.id]
    )


def _money(db: Session, jobs: Sequence[JobFacts]) -> tuple[Money, ...]:
    invoices = ProjectionRepository(db).invoiced()
    invoiced_jobs = {job_id for job_id, _, _ in invoices}
    implied = [
        Money(facts.id, day, facts.job.contract_cents or 0)
        for facts in jobs
        if facts.id not in invoiced_jobs
        and (day := facts.first(S.INVOICED)) is not None
        and facts.job.contract_cents
    ]
    return tuple(Money(*row) for row in invoices) + tuple(implied)


def _crews(db: Session) -> tuple[CrewFacts, ...]:
    repository = ProjectionRepository(db)
    off: dict[uuid.UUID, set[date]] = defaultdict(set)
    for row in repository.time_off():
        off[row.crew_id].update(_days(row.starts_on, row.ends_on))
    crews = repository.active_crews()
    return tuple(
        CrewFacts(
            id=crew.id,
            created=crew.created_at.date(),
            skills=tuple(sorted(skill.code for skill in crew.skills)),
            iso_weekdays=frozenset(int(digit) for digit in crew.working_weekdays),
            hours_per_day=crew_hours_per_day(crew),
            squares_per_day=crew.capacity_squares_per_day,
            days_off=frozenset(off[crew.id]),
        )
        for crew in crews
    )


def crew_hours_per_day(crew: Crew) -> float:
    """A crew's paid hours in a day: shift length minus the break."""
    return max(0, crew.shift_end_minute - crew.shift_start_minute - crew.break_minutes) / 60


def _days(first: date, last: date) -> Iterable[date]:
    return (first + timedelta(days=offset) for offset in range((last - first).days + 1))


def plan_days_at(db: Session, as_of: date, history: History) -> tuple[PlannedDay, ...]:
    """The work days of the schedule that was published on the morning of ``as_of``.

    The latest schedule published by then (later superseded or not); a plan whose horizon
    starts by then counts too (the demo's is published when the demo is built, for its as-of
    day). An origin before any stored plan has none: its scheduled jobs count as signed work
    (their real production days would leak the future).
    """
    repository = ProjectionRepository(db)
    published = repository.published_schedules()
    zone = ZoneInfo(company_service.get(db).time_zone)
    plan = next(
        (
            p
            for p in published
            if p.published_at and min(_local_day(p.published_at, zone), p.horizon_start) <= as_of
        ),
        None,
    )
    if plan is None:
        return ()
    hours = {crew.id: crew.hours_per_day for crew in history.crews}
    entries = repository.crewed_entries(plan.id)
    return tuple(
        PlannedDay(
            entry.job_id,
            _entry_skill(entry, history),
            date.fromisoformat(day),
            hours.get(entry.crew_id, 0.0),
        )
        for entry in entries
        if entry.crew_id is not None
        for day in entry.work_days
    )


def _entry_skill(entry: ScheduleEntry, history: History) -> str:
    facts = history.by_id.get(entry.job_id)
    phases = facts.phases if facts else ()
    return next((p.skill for p in phases if p.phase == entry.phase), entry.phase.value)
