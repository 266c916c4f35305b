"""Re-planning after an event: work in progress stays, tasks the event does not touch are kept
where they were unless moving them pays for a heavy change cost, the touched ones are freed,
and the search starts from the published plan with the freed tasks fitted around it.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from roofops.engines.plan_check.schedule import check_schedule
from roofops.engines.scheduling.greedy import greedy_schedule
from roofops.engines.scheduling.model import (
    Assignment,
    Lock,
    Move,
    PlanDiff,
    ScheduleProblem,
    ScheduleResult,
    TaskSpec,
    Unscheduled,
)
from roofops.engines.scheduling.solver import SolveSettings, solve

KEEP_WEIGHT = 5_000  # moving an untouched task costs as much as 50 days late on a normal job
RESULT_MARGIN = 0.3  # seconds kept for reading the solution and diffing after the search
REOPTIMISED = "moved to make room for the re-planned work"


@dataclass(frozen=True)
class CrewOut:
    """A crew cannot work on these days (sick, truck broken down)."""

    crew_id: str
    days: frozenset[int]


@dataclass(frozen=True)
class TaskOverrun:
    """A task in progress needs ``extra_days`` more than planned, on the same crew."""

    task_id: str
    extra_days: int


@dataclass(frozen=True)
class UrgentJob:
    """New tasks to fit in (a leak repair, an insurance emergency)."""

    tasks: tuple[TaskSpec, ...]


@dataclass(frozen=True)
class WeatherChange:
    """New forbidden days per task id, with the reason per day."""

    forbidden: Mapping[str, Mapping[int, str]]


@dataclass(frozen=True)
class LateMaterials:
    """A task's materials (or permit) now arrive on a later day."""

    task_id: str
    earliest: int


Event = CrewOut | TaskOverrun | UrgentJob | WeatherChange | LateMaterials


@dataclass(frozen=True)
class Replan:
    """A re-plan: the new plan, what changed against the published one and why."""

    result: ScheduleResult
    diff: PlanDiff
    affected: frozenset[str]  # tasks the event broke or added
    affected_jobs: frozenset[str]  # their jobs: every phase of these is free to move
    untouched_moved: int  # jobs the event did not touch of which a task still moved
    untouched: int  # jobs in the published plan the event did not touch

    @property
    def moved_pct(self) -> float:
        """Share of the jobs not directly affected that moved anyway, in %."""
        return round(100.0 * self.untouched_moved / max(1, self.untouched), 2)


def replan(
    problem: ScheduleProblem,
    published: Sequence[Assignment],
    event: Event,
    time_limit: float = 5.0,
    *,
    seed: int = 0,
) -> Replan:
    """Re-plan the published schedule after ``event``.

    Parameters
    ----------
    problem : ScheduleProblem
        The situation before the event (its ``published`` field is replaced by ``published``).
    published : sequence of Assignment
        The plan the crews and customers know.
    event : Event
        CrewOut, TaskOverrun, UrgentJob, WeatherChange or LateMaterials.
    time_limit : float, default 5.0
        Wall-clock seconds, model building included.
    seed : int, default 0
        CP-SAT's random seed.

    Returns
    -------
    Replan
        The new plan, its difference to the published one with a reason per move, the tasks
        and jobs the event touched, and how many untouched jobs moved.
    """
    started = time.perf_counter()
    changed = apply_event(dataclasses.replace(problem, published=tuple(published)), event)
    violations = check_schedule(changed, [a for a in published if _still_planned(changed, a)])
    reasons = {v.task_id: v.message for v in violations}
    new = {task.id for task in changed.tasks} - {a.task_id for a in published}
    affected = frozenset(reasons.keys() | new)
    # A job's phases move together: gutters kept in place could block its install's new days.
    affected_jobs = frozenset(changed.task(task_id).job_id for task_id in affected)
    planned = [a for a in published if _still_planned(changed, a)]
    kept = tuple(a for a in planned if changed.task(a.task_id).job_id not in affected_jobs)
    settings = SolveSettings(
        time_limit=max(0.1, time_limit - RESULT_MARGIN - (time.perf_counter() - started)),
        seed=seed,
        hint=greedy_schedule(changed, cheapest=True, keep=kept).assignments,
        change_weights={a.task_id: KEEP_WEIGHT for a in kept},
        relaxation=False,  # the published plan is the warm start; seconds matter more
    )
    result = solve(changed, settings)
    diff = diff_plans(published, result, reasons)
    untouched = {changed.task(a.task_id).job_id for a in kept}
    changed_tasks = [m.task_id for m in diff.moved] + [gone.task_id for gone in diff.removed]
    moved = untouched & {changed.task(t).job_id for t in changed_tasks if _known(changed, t)}
    return Replan(result, diff, affected, affected_jobs, len(moved), len(untouched))


def apply_event(problem: ScheduleProblem, event: Event) -> ScheduleProblem:
    """The problem as it stands after the event (the published plan unchanged)."""
    match event:
        case CrewOut(crew_id, days):
            crews = tuple(
                dataclasses.replace(c, unavailable=c.unavailable | days) if c.id == crew_id else c
                for c in problem.crews
            )
            return dataclasses.replace(problem, crews=crews)
        case TaskOverrun(task_id, extra_days):
            return _with_task(problem, task_id, lambda t: _overrun(problem, t, extra_days))
        case UrgentJob(tasks):
            return dataclasses.replace(problem, tasks=problem.tasks + tasks)
        case WeatherChange(forbidden):
            return _replace_tasks(
                problem,
                lambda t: dataclasses.replace(
                    t, forbidden_days={**t.forbidden_days, **forbidden.get(t.id, {})}
                ),
            )
        case LateMaterials(task_id, earliest):
            return _with_task(problem, task_id, lambda t: dataclasses.replace(t, earliest=earliest))


def diff_plans(
    published: Sequence[Assignment], result: ScheduleResult, reasons: Mapping[str, str]
) -> PlanDiff:
    """Moved, added and removed tasks between the published plan and a new one.

    ``reasons`` gives the sentence for tasks the event broke; other moves say they made room.
    """
    before = {a.task_id: a for a in published}
    after = {a.task_id: a for a in result.assignments}
    moved = tuple(
        Move(task_id, before[task_id], placed, reasons.get(task_id, REOPTIMISED))
        for task_id, placed in after.items()
        if task_id in before and (placed.crew_id, placed.start, placed.end) != _key(before[task_id])
    )
    added = tuple(placed for task_id, placed in after.items() if task_id not in before)
    left = {u.task_id: u.reason for u in result.unscheduled}
    removed = tuple(
        Unscheduled(task_id, left.get(task_id, "no longer part of the plan"))
        for task_id in before
        if task_id not in after
    )
    return PlanDiff(moved, added, removed)


def _key(placed: Assignment) -> tuple[str, int, int]:
    return (placed.crew_id, placed.start, placed.end)


def _still_planned(problem: ScheduleProblem, placed: Assignment) -> bool:
    return _known(problem, placed.task_id)


def _known(problem: ScheduleProblem, task_id: str) -> bool:
    return any(task.id == task_id for task in problem.tasks)


def _overrun(problem: ScheduleProblem, task: TaskSpec, extra_days: int) -> TaskSpec:
    """The task stays on its crew and start and runs ``extra_days`` longer."""
    placed = next((a for a in problem.published if a.task_id == task.id), None)
    if placed is None:
        raise ValueError(f"task {task.id} is not in the published plan: it cannot overrun")
    return dataclasses.replace(
        task,
        duration_days=placed.days + extra_days,
        lock=Lock(placed.crew_id, placed.start),
        in_progress=True,
    )


def _with_task(
    problem: ScheduleProblem, task_id: str, change: Callable[[TaskSpec], TaskSpec]
) -> ScheduleProblem:
    if task_id not in {task.id for task in problem.tasks}:
        raise ValueError(f"unknown task {task_id}")
    return _replace_tasks(problem, lambda t: change(t) if t.id == task_id else t)


def _replace_tasks(
    problem: ScheduleProblem, change: Callable[[TaskSpec], TaskSpec]
) -> ScheduleProblem:
    return dataclasses.replace(problem, tasks=tuple(change(task) for task in problem.tasks))
