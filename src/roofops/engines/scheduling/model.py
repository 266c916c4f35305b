"""Public types of the scheduling engine: what the dispatch domain passes in and gets back.

Time is an index over the horizon's working days (``ScheduleProblem.days``: weekends and company
holidays already removed by the caller). A task occupying ``d`` days from ``start`` works days
``start .. start + d - 1``; ``end`` is exclusive.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from types import MappingProxyType

Point = tuple[float, float]  # (latitude, longitude) in degrees


@dataclass(frozen=True)
class CrewSpec:
    """A production crew: its skills, daily productivity, yard and days it cannot work."""

    id: str
    skills: frozenset[str]
    squares_per_day: float
    home: Point
    unavailable: frozenset[int] = frozenset()
    name: str = ""  # what sentences call the crew; its id when empty

    def __post_init__(self) -> None:
        if self.squares_per_day <= 0:
            raise ValueError(f"crew {self.id}: squares_per_day must be positive")
        if any(day < 0 for day in self.unavailable):
            raise ValueError(f"crew {self.id}: unavailable days are non-negative indices")

    @property
    def label(self) -> str:
        return self.name or self.id


@dataclass(frozen=True)
class Lock:
    """A dispatcher's pin: the task stays on this crew and/or starts on this day."""

    crew_id: str | None = None
    start: int | None = None

    def __post_init__(self) -> None:
        if self.crew_id is None and self.start is None:
            raise ValueError("a lock pins a crew, a start day or both")


@dataclass(frozen=True)
class TaskSpec:
    """One phase of a job (tear-off and install, then gutters), done by one crew on
    consecutive working days.

    ``promised`` is the last day index the customer was promised; each working day the task
    ends after it is one day late. ``forbidden_days`` maps a day index to why it cannot be
    worked (weather). ``in_progress`` tasks have started: their lock holds crew and start.
    """

    id: str
    job_id: str
    phase: str
    required_skills: frozenset[str]
    site: Point
    squares: float = 0.0
    duration_days: int | None = None
    earliest: int = 0
    promised: int | None = None
    priority: int = 1
    predecessors: tuple[str, ...] = ()
    forbidden_days: Mapping[int, str] = field(default_factory=dict)
    lock: Lock | None = None
    in_progress: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "forbidden_days", MappingProxyType(dict(self.forbidden_days)))
        if self.duration_days is None and self.squares <= 0:
            raise ValueError(f"task {self.id}: give squares or a fixed duration_days")
        if self.duration_days is not None and self.duration_days < 1:
            raise ValueError(f"task {self.id}: duration_days is at least 1")
        if self.priority < 1 or self.earliest < 0:
            raise ValueError(f"task {self.id}: priority >= 1 and earliest >= 0")
        if self.in_progress and (self.lock is None or None in (self.lock.crew_id, self.lock.start)):
            raise ValueError(f"task {self.id}: a task in progress is locked to its crew and start")
        if self.id in self.predecessors:
            raise ValueError(f"task {self.id} cannot precede itself")

    def duration_for(self, crew: CrewSpec) -> int:
        """Working days this crew needs: the fixed duration, else squares over productivity."""
        if self.duration_days is not None:
            return self.duration_days
        return max(1, math.ceil(self.squares / crew.squares_per_day - 1e-9))

    def can_be_done_by(self, crew: CrewSpec) -> bool:
        return self.required_skills <= crew.skills


@dataclass(frozen=True)
class Assignment:
    """A task placed on a crew from ``start`` to ``end`` (exclusive) over ``days`` working days."""

    task_id: str
    crew_id: str
    start: int
    end: int

    def __post_init__(self) -> None:
        if self.start < 0 or self.end <= self.start:
            raise ValueError(f"task {self.task_id}: an assignment spans at least one day")

    @property
    def days(self) -> int:
        return self.end - self.start

    def works_on(self, day: int) -> bool:
        return self.start <= day < self.end


@dataclass(frozen=True)
class Unscheduled:
    """A task left out of the plan and the sentence(s) saying why."""

    task_id: str
    reason: str


@dataclass(frozen=True)
class ScheduleWeights:
    """Integer objective weights (all costs are in the same points).

    lateness: per working day late, multiplied by the task's priority; travel: per km of the
    daily yard-to-site round trip, for each day worked; idle: per crew-day between a crew's
    first and last day of work it is not working; change: per task whose crew or start differs
    from the published plan; unscheduled: per task left out although a crew could take it.
    """

    lateness: int = 100
    travel_per_km: int = 1
    idle: int = 5
    change: int = 200
    unscheduled: int = 100_000

    def __post_init__(self) -> None:
        if min(self.lateness, self.travel_per_km, self.idle, self.change, self.unscheduled) < 0:
            raise ValueError("weights are non-negative")


@dataclass(frozen=True)
class ScheduleProblem:
    """Everything the scheduler needs: the horizon, crews, tasks, the published plan and weights."""

    days: tuple[date, ...]
    crews: tuple[CrewSpec, ...]
    tasks: tuple[TaskSpec, ...]
    published: tuple[Assignment, ...] = ()
    weights: ScheduleWeights = ScheduleWeights()

    def __post_init__(self) -> None:
        if not self.days:
            raise ValueError("the horizon has at least one working day")
        _unique("crew", [crew.id for crew in self.crews])
        _unique("task", [task.id for task in self.tasks])
        crews = {crew.id for crew in self.crews}
        tasks = {task.id for task in self.tasks}
        for task in self.tasks:
            _check_task_refs(task, tasks, crews, len(self.days))
        _check_acyclic(self.tasks)

    @property
    def horizon(self) -> int:
        return len(self.days)

    @cached_property
    def _crews_by_id(self) -> dict[str, CrewSpec]:
        return {crew.id: crew for crew in self.crews}

    @cached_property
    def _tasks_by_id(self) -> dict[str, TaskSpec]:
        return {task.id: task for task in self.tasks}

    def crew(self, crew_id: str) -> CrewSpec:
        return self._crews_by_id[crew_id]

    def task(self, task_id: str) -> TaskSpec:
        return self._tasks_by_id[task_id]

    def day_label(self, day: int) -> str:
        """``Tue 6 Jan`` for an index inside the horizon, ``after <last day>`` past it."""
        if day >= self.horizon:
            return f"after {self.days[-1]:%a %-d %b}"
        return f"{self.days[day]:%a %-d %b}"


@dataclass(frozen=True)
class ObjectiveBreakdown:
    """The objective's terms, each already weighted; ``total`` is what the solver minimises."""

    lateness: int
    travel: int
    idle: int
    changes: int
    unscheduled: int
    late_days: int  # unweighted working days late, summed over tasks
    travel_km: int  # unweighted yard-to-site round-trip km, summed over days worked

    @property
    def total(self) -> int:
        return self.lateness + self.travel + self.idle + self.changes + self.unscheduled


@dataclass(frozen=True)
class ScheduleResult:
    """A plan with its objective, the solver's proven bound, gap and wall time.

    ``status`` is CP-SAT's (OPTIMAL, FEASIBLE, ...) or ``GREEDY``/``FIXED`` for plans
    not searched by the solver.
    """

    assignments: tuple[Assignment, ...]
    unscheduled: tuple[Unscheduled, ...]
    objective: int
    bound: int
    gap_pct: float
    seconds: float
    status: str
    breakdown: ObjectiveBreakdown

    def assignment(self, task_id: str) -> Assignment | None:
        return next((a for a in self.assignments if a.task_id == task_id), None)


@dataclass(frozen=True)
class Move:
    """A task whose crew or days changed between two plans, and why."""

    task_id: str
    before: Assignment
    after: Assignment
    reason: str


@dataclass(frozen=True)
class PlanDiff:
    """What the board shows before publishing: moved, added and removed tasks with reasons."""

    moved: tuple[Move, ...]
    added: tuple[Assignment, ...]
    removed: tuple[Unscheduled, ...]

    @property
    def is_empty(self) -> bool:
        return not (self.moved or self.added or self.removed)


def _unique(kind: str, ids: list[str]) -> None:
    if len(set(ids)) != len(ids):
        raise ValueError(f"{kind} ids must be unique")


def _check_task_refs(task: TaskSpec, tasks: set[str], crews: set[str], horizon: int) -> None:
    missing = set(task.predecessors) - tasks
    if missing:
        raise ValueError(f"task {task.id}: unknown predecessors {sorted(missing)}")
    if task.lock and task.lock.crew_id is not None and task.lock.crew_id not in crews:
        raise ValueError(f"task {task.id}: locked to unknown crew {task.lock.crew_id}")
    if task.lock and task.lock.start is not None and not 0 <= task.lock.start < horizon:
        raise ValueError(f"task {task.id}: locked start outside the horizon")


def _check_acyclic(tasks: tuple[TaskSpec, ...]) -> None:
    """Kahn's algorithm: a precedence cycle would make every task on it unschedulable."""
    waiting = {task.id: len(set(task.predecessors)) for task in tasks}
    followers: dict[str, list[str]] = {task.id: [] for task in tasks}
    for task in tasks:
        for before in set(task.predecessors):
            followers[before].append(task.id)
    ready = [task_id for task_id, count in waiting.items() if count == 0]
    while ready:
        for after in followers[ready.pop()]:
            waiting[after] -= 1
            if waiting[after] == 0:
                ready.append(after)
    if any(waiting.values()):
        raise ValueError("task predecessors form a cycle")
