"""The dispatch board's data: crews by days, the published plan and the draft, time off,
weather days, the unscheduled queue with reasons, locks and the draft's difference."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from roofops.dispatch.diff import PlanDiff, plan_diff
from roofops.dispatch.inputs import (
    PRODUCTION_TYPES,
    SCHEDULED_STAGES,
    is_production_crew,
    phases_of,
    site_of,
    task_key,
    working_days,
)
from roofops.dispatch.repository import (
    CalendarRepository,
    DispatchCrewRepository,
    DispatchJobRepository,
    PlanRepository,
    RequirementsRepository,
)
from roofops.dispatch.weather import WeatherOutlook, WorkSite, material_for
from roofops.models.crew import Crew
from roofops.models.dispatch import (
    DispatchPlan,
    JobRequirements,
    Phase,
    PlanKind,
    PlanStatus,
    ScheduleEntry,
    TimeOffKind,
)
from roofops.models.enums import Priority
from roofops.models.job import Job

NOT_PLANNED = "Not planned yet: run Optimize (or drag it onto a crew)."


@dataclass(frozen=True)
class BoardCrew:
    id: uuid.UUID
    name: str
    color: str
    branch_id: uuid.UUID
    skills: tuple[str, ...]
    working_weekdays: str
    squares_per_day: int


@dataclass(frozen=True)
class PlanSummary:
    id: uuid.UUID
    status: PlanStatus
    trigger: str
    solver: str
    note: str
    horizon_start: date
    horizon_end: date
    objective: float | None
    bound: float | None
    gap_pct: float | None
    solve_seconds: float | None
    created_at: datetime
    published_at: datetime | None


@dataclass(frozen=True)
class BoardEntry:
    job_id: uuid.UUID
    job_number: str
    job_name: str
    address: str
    phase: Phase
    crew_id: uuid.UUID | None
    starts_on: date | None
    ends_on: date | None
    work_days: tuple[date, ...]
    locked: bool
    in_progress: bool
    reason: str
    priority: Priority
    promised_by: date | None


@dataclass(frozen=True)
class QueueItem:
    job_id: uuid.UUID
    job_number: str
    job_name: str
    address: str
    phase: Phase
    skill: str
    reason: str
    priority: Priority
    promised_by: date | None


@dataclass(frozen=True)
class TimeOffMark:
    crew_id: uuid.UUID
    starts_on: date
    ends_on: date
    kind: TimeOffKind
    note: str


@dataclass(frozen=True)
class WeatherMark:
    job_id: uuid.UUID
    phase: Phase
    day: date
    reason: str


@dataclass(frozen=True)
class LockMark:
    job_id: uuid.UUID
    job_number: str
    crew_id: uuid.UUID | None
    start_on: date | None


@dataclass(frozen=True)
class Board:
    start: date
    days: tuple[date, ...]  # every calendar day shown
    working_days: tuple[date, ...]
    holidays: Mapping[date, str]
    crews: tuple[BoardCrew, ...]
    published: PlanSummary | None
    draft: PlanSummary | None
    published_entries: tuple[BoardEntry, ...]
    draft_entries: tuple[BoardEntry, ...]
    queue: tuple[QueueItem, ...]
    time_off: tuple[TimeOffMark, ...]
    weather: tuple[WeatherMark, ...]
    locks: tuple[LockMark, ...]
    diff: PlanDiff | None

    @property
    def entries(self) -> tuple[BoardEntry, ...]:
        """What the grid shows: the draft when there is one, else the published plan."""
        return self.draft_entries if self.draft is not None else self.published_entries


def build_board(
    db: Session, start: date, days: int, branch_id: uuid.UUID | None, weather: WeatherOutlook
) -> Board:
    end = start + timedelta(days=days - 1)
    calendar = CalendarRepository(db)
    crews = [c for c in DispatchCrewRepository(db).active_crews(branch_id) if is_production_crew(c)]
    holidays = calendar.holidays(start, end)
    plans = PlanRepository(db)
    published = plans.latest(PlanKind.SCHEDULE, PlanStatus.PUBLISHED)
    draft = plans.latest(PlanKind.SCHEDULE, PlanStatus.DRAFT)
    published_rows = plans.entries(published.id) if published else []
    draft_rows = plans.entries(draft.id) if draft else []
    jobs = _jobs(db, branch_id, [*published_rows, *draft_rows])
    requirements = RequirementsRepository(db).for_jobs(list(jobs))
    crew_ids = {crew.id for crew in crews}
    shown = draft_rows if draft else published_rows
    horizon = working_days(start, end, crews, holidays)
    return Board(
        start=start,
        days=tuple(start + timedelta(days=n) for n in range(days)),
        working_days=horizon.days,
        holidays={holiday.on: holiday.name for holiday in holidays},
        crews=tuple(_crew(crew) for crew in crews),
        published=_summary(published),
        draft=_summary(draft),
        published_entries=_entries(published_rows, jobs, requirements, crew_ids, (start, end)),
        draft_entries=_entries(draft_rows, jobs, requirements, crew_ids, (start, end)),
        queue=_queue(shown, jobs, requirements, branch_id),
        time_off=tuple(
            TimeOffMark(t.crew_id, t.starts_on, t.ends_on, t.kind, t.note)
            for t in calendar.time_off(start, end)
            if t.crew_id in crew_ids
        ),
        weather=_weather(db, weather, jobs, requirements, horizon.days),
        locks=_locks(jobs, requirements),
        diff=_draft_diff(draft, draft_rows, published_rows, jobs, crews),
    )


def _jobs(
    db: Session, branch_id: uuid.UUID | None, rows: Sequence[ScheduleEntry]
) -> dict[uuid.UUID, Job]:
    """Open production jobs and every job the plans name (some may have moved on)."""
    repository = DispatchJobRepository(db)
    jobs = {j.id: j for j in repository.to_schedule(SCHEDULED_STAGES, PRODUCTION_TYPES, branch_id)}
    missing = {row.job_id for row in rows} - jobs.keys()
    jobs.update((job.id, job) for job in repository.by_ids(missing))
    return jobs


def _crew(crew: Crew) -> BoardCrew:
    return BoardCrew(
        id=crew.id,
        name=crew.name,
        color=crew.color,
        branch_id=crew.branch_id,
        skills=tuple(sorted(skill.code for skill in crew.skills)),
        working_weekdays=crew.working_weekdays,
        squares_per_day=crew.capacity_squares_per_day,
    )


def _summary(plan: DispatchPlan | None) -> PlanSummary | None:
    if plan is None:
        return None
    return PlanSummary(
        id=plan.id,
        status=plan.status,
        trigger=plan.trigger,
        solver=plan.solver,
        note=plan.note,
        horizon_start=plan.horizon_start,
        horizon_end=plan.horizon_end,
        objective=plan.objective,
        bound=plan.bound,
        gap_pct=plan.gap_pct,
        solve_seconds=plan.solve_seconds,
        created_at=plan.created_at,
        published_at=plan.published_at,
    )


def _entries(
    rows: Sequence[ScheduleEntry],
    jobs: Mapping[uuid.UUID, Job],
    requirements: Mapping[uuid.UUID, JobRequirements],
    crew_ids: set[uuid.UUID],
    shown: tuple[date, date],
) -> tuple[BoardEntry, ...]:
    """The plan's placed entries on the board's crews that overlap the days shown."""
    start, end = shown
    return tuple(
        board_entry(row, jobs[row.job_id], requirements.get(row.job_id))
        for row in rows
        if row.crew_id in crew_ids
        and row.job_id in jobs
        and row.starts_on is not None
        and row.starts_on <= end
        and (row.ends_on or row.starts_on) >= start
    )


def board_entry(row: ScheduleEntry, job: Job, requirements: JobRequirements | None) -> BoardEntry:
    return BoardEntry(
        job_id=job.id,
        job_number=job.number,
        job_name=job.name,
        address=job.property.one_line,
        phase=row.phase,
        crew_id=row.crew_id,
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        work_days=tuple(date.fromisoformat(day) for day in row.work_days),
        locked=row.locked,
        in_progress=row.in_progress,
        reason=row.reason,
        priority=job.priority,
        promised_by=requirements.promised_by if requirements else None,
    )


def _queue(
    shown: Sequence[ScheduleEntry],
    jobs: Mapping[uuid.UUID, Job],
    requirements: Mapping[uuid.UUID, JobRequirements],
    branch_id: uuid.UUID | None,
) -> tuple[QueueItem, ...]:
    """Phases the shown plan leaves unscheduled (with its reason) and open phases it does not
    know yet (new jobs since it was made)."""
    planned = {(row.job_id, row.phase): row for row in shown}
    items = []
    for job in sorted(jobs.values(), key=lambda j: j.number):
        if job.stage not in SCHEDULED_STAGES or (branch_id and job.branch_id != branch_id):
            continue
        for spec in phases_of(job, requirements.get(job.id)):
            row = planned.get((job.id, spec.phase))
            if row is not None and row.crew_id is not None:
                continue
            reason = row.reason if row is not None else NOT_PLANNED
            items.append(_queue_item(job, spec.phase, spec.skill, reason, requirements))
    return tuple(items)


def _queue_item(
    job: Job,
    phase: Phase,
    skill: str,
    reason: str,
    requirements: Mapping[uuid.UUID, JobRequirements],
) -> QueueItem:
    wanted = requirements.get(job.id)
    return QueueItem(
        job_id=job.id,
        job_number=job.number,
        job_name=job.name,
        address=job.property.one_line,
        phase=phase,
        skill=skill,
        reason=reason,
        priority=job.priority,
        promised_by=wanted.promised_by if wanted else None,
    )


def _weather(
    db: Session,
    outlook: WeatherOutlook,
    jobs: Mapping[uuid.UUID, Job],
    requirements: Mapping[uuid.UUID, JobRequirements],
    days: Sequence[date],
) -> tuple[WeatherMark, ...]:
    phases = {
        task_key(job, spec.phase): (job, spec.phase)
        for job in jobs.values()
        if job.stage in SCHEDULED_STAGES
        for spec in phases_of(job, requirements.get(job.id))
    }
    sites = [
        WorkSite(key, *site_of(job), material_for(job.material, phase))
        for key, (job, phase) in phases.items()
    ]
    unworkable = outlook.unworkable_days(db, sites, days) if sites and days else {}
    return tuple(
        WeatherMark(phases[key][0].id, phases[key][1], day, reason)
        for (key, day), reason in sorted(unworkable.items())
        if key in phases
    )


def _locks(
    jobs: Mapping[uuid.UUID, Job], requirements: Mapping[uuid.UUID, JobRequirements]
) -> tuple[LockMark, ...]:
    return tuple(
        LockMark(job_id, jobs[job_id].number, wanted.locked_crew_id, wanted.locked_start_on)
        for job_id, wanted in requirements.items()
        if job_id in jobs and (wanted.locked_crew_id or wanted.locked_start_on)
    )


def _draft_diff(
    draft: DispatchPlan | None,
    draft_rows: Sequence[ScheduleEntry],
    published_rows: Sequence[ScheduleEntry],
    jobs: Mapping[uuid.UUID, Job],
    crews: Sequence[Crew],
) -> PlanDiff | None:
    if draft is None:
        return None
    return plan_diff(draft, draft_rows, published_rows, jobs, {crew.id: crew for crew in crews})
