"""Database rows -> the scheduling engine's problem.

The horizon is the calendar days from ``start``; its working days are those some active crew
works (its ISO weekdays) that are not company holidays. A crew is unavailable on the horizon's
days outside its own weekdays and inside its time off. Jobs to schedule are open production
jobs (re-roof, new construction, gutters) from contract signed to in production; their phases:

- re-roof and new construction: "install" by a crew with the material's skill, then "gutters"
  (one day, a crew with the gutters skill) when the job's requirements say so;
- gutters jobs: "gutters";
- repairs and inspections are daily-route visits (dispatch-field), not production phases.
"""

from __future__ import annotations

import uuid
from bisect import bisect_left, bisect_right
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.orm import Session

from roofops.dispatch.repository import (
    CalendarRepository,
    DispatchCrewRepository,
    DispatchJobRepository,
    PlanRepository,
    RequirementsRepository,
)
from roofops.dispatch.weather import WeatherOutlook, WorkSite, material_for
from roofops.engines.scheduling.model import (
    Assignment,
    CrewSpec,
    Lock,
    ScheduleProblem,
    ScheduleWeights,
    TaskSpec,
)
from roofops.models.crew import Crew
from roofops.models.dispatch import (
    CrewTimeOff,
    DispatchPlan,
    Holiday,
    JobRequirements,
    Phase,
    ScheduleEntry,
)
from roofops.models.enums import JobStage, JobType, Priority
from roofops.models.job import Job

SCHEDULED_STAGES = (
    JobStage.CONTRACT_SIGNED,
    JobStage.MATERIALS_ORDERED,
    JobStage.SCHEDULED,
    JobStage.IN_PRODUCTION,
)
PRODUCTION_TYPES = (JobType.REROOF, JobType.NEW_CONSTRUCTION, JobType.GUTTERS)
# Crews holding only these skills work daily routes, not production.
ROUTE_SKILLS = frozenset({"repairs", "inspection"})
GUTTERS_SKILL = "gutters"
# Lateness costs this many times more for a more urgent job.
PRIORITY_WEIGHT = {Priority.LOW: 1, Priority.NORMAL: 2, Priority.HIGH: 4, Priority.URGENT: 8}
GUTTERS_DAYS = 1  # a gutter crew hangs a house's gutters in a day


@dataclass(frozen=True)
class Horizon:
    """Calendar days ``start .. end`` (inclusive) and the working days among them."""

    start: date
    end: date
    days: tuple[date, ...]

    def on_or_after(self, day: date) -> int:
        """Index of the first working day on or after ``day`` (the horizon's length if none)."""
        return bisect_left(self.days, day)

    def on_or_before(self, day: date) -> int:
        """Index of the last working day on or before ``day`` (-1 when before the horizon)."""
        return bisect_right(self.days, day) - 1

    def index(self, day: date) -> int | None:
        position = self.on_or_after(day)
        return position if position < len(self.days) and self.days[position] == day else None


@dataclass(frozen=True)
class TaskRef:
    """Which job and phase an engine task stands for."""

    job_id: uuid.UUID
    phase: Phase


@dataclass(frozen=True)
class ScheduleInputs:
    """The engine's problem and what is needed to turn its answer back into rows."""

    horizon: Horizon
    problem: ScheduleProblem
    tasks: Mapping[str, TaskRef]
    jobs: Mapping[uuid.UUID, Job]
    crews: Mapping[uuid.UUID, Crew]
    # Why a job cannot start early, in the dispatcher's words ("materials ready on Tue 6 Jan").
    notes: Mapping[uuid.UUID, str] = field(default_factory=dict)

    def assignments_of(self, entries: Sequence[ScheduleEntry]) -> tuple[Assignment, ...]:
        crew_ids = {crew.id for crew in self.problem.crews}
        return assignments_of(self.horizon, crew_ids, self.tasks, entries)

    def task_id(self, job_id: uuid.UUID, phase: Phase) -> str | None:
        return next((key for key, ref in self.tasks.items() if ref == TaskRef(job_id, phase)), None)


@dataclass(frozen=True)
class PhaseSpec:
    phase: Phase
    skill: str
    squares: float
    duration_days: int | None


def task_key(job: Job, phase: Phase) -> str:
    return f"{job.number}/{phase.value}"  # the plan check finds other tasks named by the "/"


def phases_of(job: Job, requirements: JobRequirements | None) -> tuple[PhaseSpec, ...]:
    """The production phases of a job, in order (none for repairs and inspections)."""
    squares = float(job.squares or 0)
    fixed = requirements.production_days if requirements else None
    if job.job_type == JobType.GUTTERS:
        return (PhaseSpec(Phase.GUTTERS, GUTTERS_SKILL, squares, fixed or _days_if(squares)),)
    if job.job_type not in PRODUCTION_TYPES:
        return ()
    install = PhaseSpec(Phase.INSTALL, job.material.value, squares, fixed or _days_if(squares))
    if requirements is not None and requirements.with_gutters:
        return (install, PhaseSpec(Phase.GUTTERS, GUTTERS_SKILL, 0.0, GUTTERS_DAYS))
    return (install,)


def _days_if(squares: float) -> int | None:
    """No squares on file: a one-day job, until someone measures the roof."""
    return None if squares > 0 else 1


def working_days(
    start: date, end: date, crews: Sequence[Crew], holidays: Sequence[Holiday]
) -> Horizon:
    weekdays = {int(digit) for crew in crews for digit in crew.working_weekdays}
    closed = {holiday.on for holiday in holidays}
    days = tuple(
        day
        for day in (start + timedelta(days=offset) for offset in range((end - start).days + 1))
        if day.isoweekday() in weekdays and day not in closed
    )
    return Horizon(start, end, days)


@dataclass
class _Loader:
    """One load of the inputs: the session, the horizon and the rows read so far."""

    horizon: Horizon
    crews: dict[uuid.UUID, Crew]
    published: list[ScheduleEntry]
    crew_specs: dict[str, CrewSpec] = field(default_factory=dict)
    notes: dict[uuid.UUID, str] = field(default_factory=dict)

    def crew_spec(self, crew: Crew, time_off: Sequence[CrewTimeOff]) -> CrewSpec:

        weekdays = {int(digit) for digit in crew.working_weekdays}
        off = {
            index
            for index, day in enumerate(self.horizon.days)
            if day.isoweekday() not in weekdays
            or any(entry.starts_on <= day <= entry.ends_on for entry in time_off)
        }
        return CrewSpec(
            id=str(crew.id),
            skills=frozenset(skill.code for skill in crew.skills),
            squares_per_day=float(max(crew.capacity_squares_per_day, 1)),
            home=_home(crew),
            unavailable=frozenset(off),
            name=crew.name,
        )

    def job_tasks(
        self, job: Job, requirements: JobRequirements | None, weather: Mapping[str, dict[int, str]]
    ) -> list[TaskSpec]:

        tasks: list[TaskSpec] = []
        earliest = self._earliest(job, requirements)
        for position, spec in enumerate(phases_of(job, requirements)):
            key = task_key(job, spec.phase)
            lock, in_progress, duration = self._lock(job, spec, requirements, first=position == 0)
            tasks.append(
                TaskSpec(
                    id=key,
                    job_id=str(job.id),
                    phase=spec.phase.value,
                    required_skills=frozenset({spec.skill}),
                    site=site_of(job),
                    squares=spec.squares,
                    duration_days=duration or spec.duration_days,
                    earliest=0 if in_progress else earliest,
                    promised=self._promised(requirements),
                    priority=PRIORITY_WEIGHT[job.priority],
                    predecessors=(tasks[-1].id,) if tasks else (),
                    forbidden_days={} if in_progress else weather.get(key, {}),
                    lock=lock,
                    in_progress=in_progress,
                )
            )
        return tasks

    def _earliest(self, job: Job, requirements: JobRequirements | None) -> int:
        ready = [self.horizon.start]
        if requirements is not None:
            for label, day in (
                ("materials ready on", requirements.materials_ready_on),
                ("permit ready on", requirements.permit_ready_on),
            ):
                if day is not None and day > self.horizon.start:
                    ready.append(day)
                    self.notes[job.id] = f"{label} {day:%a %-d %b}"
        return self.horizon.on_or_after(max(ready))

    def _promised(self, requirements: JobRequirements | None) -> int | None:
        if requirements is None or requirements.promised_by is None:
            return None
        return max(self.horizon.on_or_before(requirements.promised_by), -1)

    def _lock(
        self, job: Job, spec: PhaseSpec, requirements: JobRequirements | None, *, first: bool
    ) -> tuple[Lock | None, bool, int | None]:
        """(lock, in progress, remaining days): work under way keeps its crew and start; a
        dispatcher's lock pins the job's first phase."""

        started = self._under_way(job, spec.phase, first=first)
        if started is not None:
            return started
        if not first or requirements is None:
            return None, False, None
        crew_id = requirements.locked_crew_id
        crew = str(crew_id) if crew_id is not None and crew_id in self.crews else None
        locked_on = requirements.locked_start_on
        start = self.horizon.index(locked_on) if locked_on is not None else None
        if crew is None and start is None:
            return None, False, None
        return Lock(crew_id=crew, start=start), False, None

    def _under_way(
        self, job: Job, phase: Phase, *, first: bool
    ) -> tuple[Lock | None, bool, int | None] | None:
        """A phase of a job in production that the published plan started on or before the
        horizon's first day keeps its crew from day 0 for its remaining days; a job in
        production in no plan (the CRM moved it) keeps the crew on file for its first phase."""
        if job.stage != JobStage.IN_PRODUCTION:
            return None
        entry = next((e for e in self.published if e.job_id == job.id and e.phase == phase), None)
        if entry is not None and entry.crew_id in self.crews and entry.starts_on is not None:
            if entry.starts_on > self.horizon.start:
                return None
            start = self.horizon.start
            left = sum(1 for day in entry.work_days if date.fromisoformat(day) >= start)
            return self._kept(entry.crew_id, max(left, 1))
        if first and entry is None and job.crew_id in self.crews:
            return self._kept(job.crew_id, None)
        return None

    def _kept(
        self, crew_id: uuid.UUID | None, remaining: int | None
    ) -> tuple[Lock | None, bool, int | None]:
        """On its crew from day 0; when the crew is out that day, only the crew is kept and
        the work resumes on its return."""
        crew = str(crew_id)
        if 0 in self.crew_specs[crew].unavailable:
            return Lock(crew_id=crew), False, remaining
        return Lock(crew_id=crew, start=0), True, remaining


def assignments_of(
    horizon: Horizon,
    crew_ids: Collection[str],
    tasks: Mapping[str, TaskRef],
    entries: Sequence[ScheduleEntry],
) -> tuple[Assignment, ...]:
    """A plan's placed entries as engine assignments over this horizon's working days (days
    before the horizon are history: a phase under way starts on day 0)."""
    keys = {ref: key for key, ref in tasks.items()}
    placed = []
    for entry in entries:
        key = keys.get(TaskRef(entry.job_id, entry.phase))
        if key is None or entry.crew_id is None or str(entry.crew_id) not in crew_ids:
            continue
        indices = [
            index
            for day in entry.work_days
            if (index := horizon.index(date.fromisoformat(day))) is not None
        ]
        if indices:
            start = min(indices)
            placed.append(Assignment(key, str(entry.crew_id), start, start + len(indices)))
    return tuple(placed)


def _home(crew: Crew) -> tuple[float, float]:
    """The crew's yard, else its branch's."""
    if crew.home_latitude is not None and crew.home_longitude is not None:
        return (crew.home_latitude, crew.home_longitude)
    return (crew.branch.latitude or 0.0, crew.branch.longitude or 0.0)


def site_of(job: Job) -> tuple[float, float]:
    """The property's coordinates, else its branch's (travel is then only approximate)."""
    prop = job.property
    if prop.latitude is not None and prop.longitude is not None:
        return (prop.latitude, prop.longitude)
    branch = job.branch
    if branch is not None and branch.latitude is not None and branch.longitude is not None:
        return (branch.latitude, branch.longitude)
    return (0.0, 0.0)


def is_production_crew(crew: Crew) -> bool:
    return any(skill.code not in ROUTE_SKILLS for skill in crew.skills)


def load_schedule_inputs(
    db: Session,
    start: date,
    days: int,
    *,
    weather: WeatherOutlook,
    weights: ScheduleWeights,
    published: DispatchPlan | None,
    branch_id: uuid.UUID | None = None,
) -> ScheduleInputs:
    """Everything the scheduler needs for ``days`` calendar days from ``start``.

    ``published`` is the plan crews work from: its entries keep work in progress in place and
    are what the solver avoids changing.
    """
    from roofops.engines.scheduling.model import ScheduleProblem

    end = start + timedelta(days=days - 1)
    crews = [c for c in DispatchCrewRepository(db).active_crews(branch_id) if is_production_crew(c)]
    calendar = CalendarRepository(db)
    horizon = working_days(start, end, crews, calendar.holidays(start, end))
    entries = PlanRepository(db).entries(published.id) if published is not None else []
    loader = _Loader(horizon, {crew.id: crew for crew in crews}, entries)
    time_off = calendar.time_off(start, end)
    for crew in crews:
        mine = [entry for entry in time_off if entry.crew_id == crew.id]
        loader.crew_specs[str(crew.id)] = loader.crew_spec(crew, mine)
    jobs = DispatchJobRepository(db).to_schedule(SCHEDULED_STAGES, PRODUCTION_TYPES, branch_id)
    requirements = RequirementsRepository(db).for_jobs([job.id for job in jobs])
    weather_days = _weather(db, weather, horizon, jobs, requirements)
    tasks: list[TaskSpec] = []
    refs: dict[str, TaskRef] = {}
    for job in jobs:
        for task in loader.job_tasks(job, requirements.get(job.id), weather_days):
            tasks.append(task)
            refs[task.id] = TaskRef(job.id, Phase(task.phase))
    problem = ScheduleProblem(
        days=horizon.days or (start,),
        crews=tuple(loader.crew_specs.values()),
        tasks=tuple(tasks),
        published=assignments_of(horizon, loader.crew_specs.keys(), refs, entries),
        weights=weights,
    )
    return ScheduleInputs(
        horizon=horizon,
        problem=problem,
        tasks=refs,
        jobs={job.id: job for job in jobs},
        crews=loader.crews,
        notes=loader.notes,
    )


def _weather(
    db: Session,
    outlook: WeatherOutlook,
    horizon: Horizon,
    jobs: Sequence[Job],
    requirements: Mapping[uuid.UUID, JobRequirements],
) -> dict[str, dict[int, str]]:
    """Per task: the working-day indices the weather forbids, with the reason."""
    sites = [
        WorkSite(task_key(job, spec.phase), *site_of(job), material_for(job.material, spec.phase))
        for job in jobs
        for spec in phases_of(job, requirements.get(job.id))
    ]
    forbidden: dict[str, dict[int, str]] = {}
    for (key, day), reason in outlook.unworkable_days(db, sites, horizon.days).items():
        index = horizon.index(day)
        if index is not None:
            forbidden.setdefault(key, {})[index] = reason
    return forbidden
