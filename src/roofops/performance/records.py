"""The per-job records every performance figure is summed from, and the drill-downs list.

Pure: built from rows the repository loaded. A figure and its drill-down read the same records,
so the jobs listed behind a figure are exactly the jobs it was computed from.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from roofops.models.enums import JobStage
from roofops.performance import measures

# A start or finish up to this many calendar days after the plan still counts as on time:
# crews start the next morning when a tear-off runs late at the previous job.
ON_TIME_TOLERANCE_DAYS = 1
# A repair on the same property within this many days of a completed job is a callback.
CALLBACK_WINDOW_DAYS = 90
FINISHED = frozenset({JobStage.COMPLETED, JobStage.INVOICED, JobStage.PAID})
SOLD = frozenset(
    {
        JobStage.CONTRACT_SIGNED,
        JobStage.MATERIALS_ORDERED,
        JobStage.SCHEDULED,
        JobStage.IN_PRODUCTION,
        *FINISHED,
    }
)
BACKLOG_STAGES = (
    JobStage.CONTRACT_SIGNED,
    JobStage.MATERIALS_ORDERED,
    JobStage.SCHEDULED,
    JobStage.IN_PRODUCTION,
)
NO_REP = "(no sales rep)"


@dataclass(frozen=True)
class JobRef:
    id: uuid.UUID
    number: str
    name: str


@dataclass(frozen=True)
class JobMoney:
    """A job's margin inputs; ``final`` False: an open job, whose margin is never shown as final."""

    final: bool
    revenue_cents: int
    profit_cents: int
    # The cents behind the margin (revenue and each cost) by figure source.
    cents_by_source: dict[str, int]


@dataclass(frozen=True)
class PlannedPhase:
    """A crewed schedule entry of a job in a published (or since superseded) plan."""

    crew_id: uuid.UUID
    starts_on: date | None
    ends_on: date | None
    work_days: tuple[date, ...]
    published_at: datetime


@dataclass(frozen=True)
class Plan:
    """What the published schedules said of one job."""

    first_start: date | None  # the first published plan's first planned day
    first_end: date | None  # ... and its last planned day
    crew_id: uuid.UUID | None  # the crew of the plan in force at the finish
    crew_days: int  # distinct working days of that crew on the job, up to the finish


@dataclass(frozen=True)
class CompletedJob:
    """A job whose crew finished it in the period (first move to completed, invoiced or paid)."""

    job: JobRef
    crew_id: uuid.UUID | None
    sales_rep: str
    squares: float | None
    started_on: date | None  # first move to in production
    finished_on: date
    plan: Plan
    promised_by: date | None
    callbacks: tuple[str, ...]  # numbers of the repairs that followed
    callback_window_open: bool  # the window has not closed yet: more callbacks may come
    money: JobMoney | None
    crew_days: int  # days the crew spent on the job (see days_basis)
    days_basis: str  # "field reports" | "published schedule" | "stage history" | "" (unknown)

    @property
    def deadline(self) -> date | None:
        """The promised date where the customer was given one, else the planned end."""
        return self.promised_by or self.plan.first_end

    @property
    def on_time_start(self) -> bool | None:
        if self.started_on is None or self.plan.first_start is None:
            return None
        return measures.on_time(self.plan.first_start, self.started_on, ON_TIME_TOLERANCE_DAYS)

    @property
    def on_time_finish(self) -> bool | None:
        if self.deadline is None:
            return None
        return measures.on_time(self.deadline, self.finished_on, ON_TIME_TOLERANCE_DAYS)

    @property
    def measured_squares(self) -> float | None:
        """Squares counted in squares per crew-day: only with squares and crew-days both known."""
        return self.squares if self.squares is not None and self.crew_days else None


@dataclass(frozen=True)
class SalesJob:
    """A job's sales events that fell in the period."""

    job: JobRef
    sales_rep: str
    lead_on: date | None  # entered the pipeline in the period
    won_on: date | None  # first reached a signed contract in the period
    lost_on: date | None  # marked lost in the period
    days_to_contract: float | None  # for a job won in the period
    contract_cents: int | None


@dataclass(frozen=True)
class BacklogJob:
    job: JobRef
    stage: JobStage
    total_days: float | None  # crew-days the whole job needs
    basis: str  # "production days" | "squares / capacity" | "" (unsized)
    worked_days: int  # working days already done, per the published schedule
    contract_cents: int | None
    contract_source: str

    @property
    def remaining_days(self) -> float | None:
        if self.total_days is None:
            return None
        return max(self.total_days - self.worked_days, 0.0)


def plan_of(phases: Sequence[PlannedPhase], finished_before: datetime, finished_on: date) -> Plan:
    """The first published plan's dates, and the crew and its days in the plan in force when the
    job finished (``phases`` oldest plan first)."""
    if not phases:
        return Plan(None, None, None, 0)
    first = [p for p in phases if p.published_at == phases[0].published_at]
    before = [p for p in phases if p.published_at < finished_before] or first
    in_force = [p for p in before if p.published_at == before[-1].published_at]
    crew_id = min(in_force, key=lambda p: p.starts_on or date.max).crew_id
    days = {day for p in in_force if p.crew_id == crew_id for day in p.work_days}
    return Plan(
        first_start=min((p.starts_on for p in first if p.starts_on), default=None),
        first_end=max((p.ends_on for p in first if p.ends_on), default=None),
        crew_id=crew_id,
        crew_days=sum(1 for day in days if day <= finished_on),
    )


def days_on_site(
    reported: Collection[date],
    plan: Plan,
    started_on: date | None,
    finished_on: date,
    weekdays: str,
) -> tuple[int, str]:
    """Crew-days on a finished job, from the best record there is: the days the crew reported
    itself on site (crew page), else the published schedule's working days of the crew, else
    the crew's working weekdays from the start (first move to in production) to the finish,
    both included (at least one: the day it finished)."""
    on_site = sum(1 for day in reported if day <= finished_on)
    if on_site:
        return on_site, "field reports"
    if plan.crew_days:
        return plan.crew_days, "published schedule"
    if started_on is None or started_on > finished_on:
        return 0, ""
    span = (finished_on - started_on).days + 1
    worked = sum(
        1
        for offset in range(span)
        if str((started_on + timedelta(days=offset)).isoweekday()) in weekdays
    )
    return max(worked, 1), "stage history"


def worked_days(phases: Sequence[PlannedPhase], through: date, published_by: datetime) -> int:
    """Working days up to ``through`` in the latest plan published by ``published_by``."""
    known = [p for p in phases if p.published_at < published_by]
    if not known:
        return 0
    latest = [p for p in known if p.published_at == known[-1].published_at]
    return len({day for p in latest for day in p.work_days if day <= through})


def backlog_size(
    production_days: int | None, squares: float | None, capacity: float | None
) -> tuple[float | None, str]:
    """Crew-days a job needs and what that rests on: the planned production days where the
    office set them, else squares over the crew's daily capacity."""
    if production_days:
        return float(production_days), "production days"
    if squares is not None and capacity:
        return measures.crew_days_for(squares, capacity), "squares / capacity"
    return None, ""
