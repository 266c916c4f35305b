"""The earliest-due-date dispatcher: the benchmark's baseline and the solver's first hint.

Tasks are taken by promised day (then materials day, then priority); each goes to the skilled
crew that can start it earliest, the shorter commute breaking ties. Nothing is ever moved back.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Sequence

from roofops.engines.scheduling.explain import explain_unscheduled
from roofops.engines.scheduling.model import (
    Assignment,
    CrewSpec,
    ScheduleProblem,
    ScheduleResult,
    TaskSpec,
    Unscheduled,
)
from roofops.engines.scheduling.objective import commute_km, evaluate, late_days
from roofops.engines.scheduling.windows import Domains, placeable_tasks, start_domains


def greedy_schedule(
    problem: ScheduleProblem, *, cheapest: bool = False, keep: Sequence[Assignment] = ()
) -> ScheduleResult:
    """Schedule by earliest due date, each task on the crew free earliest.

    Parameters
    ----------
    problem : ScheduleProblem
        Crews, tasks and weights (the published plan is ignored, except in the price).
    cheapest : bool, default False
        Instead of the earliest start, take the free slot (any crew, any day) with the lowest
        travel plus lateness: the solver's warm start, not the baseline.
    keep : sequence of Assignment, optional
        Placements taken as they are (a re-plan's untouched tasks); the rest fill around them.

    Returns
    -------
    ScheduleResult
        The plan priced with the problem's weights; status ``GREEDY``, bound 0.
    """
    started = time.perf_counter()
    domains = start_domains(problem)
    busy: dict[str, set[int]] = {crew.id: set() for crew in problem.crews}
    placed = {a.task_id: a for a in keep}
    for kept in keep:
        busy[kept.crew_id].update(range(kept.start, kept.end))
    for task in _due_date_order(problem):
        ready = None if task.id in placed else _ready_day(task, placed)
        if ready is not None:
            choice = _best_slot(problem, task, domains, busy, ready=ready, cheapest=cheapest)
            if choice is not None:
                placed[task.id] = choice
                busy[choice.crew_id].update(range(choice.start, choice.end))
    return _result(problem, domains, placed, time.perf_counter() - started)


def _due_date_order(problem: ScheduleProblem) -> list[TaskSpec]:
    """Tasks by due date, a task only after all its predecessors (a topological EDD)."""
    tasks = {task.id: task for task in problem.tasks}
    waiting = {task.id: len(set(task.predecessors)) for task in problem.tasks}
    followers: dict[str, list[str]] = {task.id: [] for task in problem.tasks}
    for task in problem.tasks:
        for before in set(task.predecessors):
            followers[before].append(task.id)
    heap = [_key(problem, task) for task in problem.tasks if waiting[task.id] == 0]
    heapq.heapify(heap)
    order: list[TaskSpec] = []
    while heap:
        task = tasks[heapq.heappop(heap)[-1]]
        order.append(task)
        for after in followers[task.id]:
            waiting[after] -= 1
            if waiting[after] == 0:
                heapq.heappush(heap, _key(problem, tasks[after]))
    return order


def _key(problem: ScheduleProblem, task: TaskSpec) -> tuple[int, int, int, str]:
    due = task.promised if task.promised is not None else problem.horizon
    return (due, task.earliest, -task.priority, task.id)


def _ready_day(task: TaskSpec, placed: dict[str, Assignment]) -> int | None:
    """The day all predecessors are done, or None when one of them is not scheduled."""
    if any(before not in placed for before in task.predecessors):
        return None
    return max((placed[before].end for before in task.predecessors), default=0)


def _best_slot(
    problem: ScheduleProblem,
    task: TaskSpec,
    domains: Domains,
    busy: dict[str, set[int]],
    *,
    ready: int,
    cheapest: bool,
) -> Assignment | None:
    """The earliest free slot over the skilled crews (the shorter commute breaking ties), or
    with ``cheapest`` the free slot of lowest travel plus lateness on any crew."""
    best: tuple[int, int, Assignment] | None = None
    for crew_id, starts in domains[task.id].items():
        crew = problem.crew(crew_id)
        duration = task.duration_for(crew)
        free = (
            s for s in starts if s >= ready and busy[crew_id].isdisjoint(range(s, s + duration))
        )
        for start in free:
            placed = Assignment(task.id, crew_id, start, start + duration)
            candidate = (*_slot_key(problem, task, crew, placed, cheapest), placed)
            if best is None or candidate[:2] < best[:2]:
                best = candidate
            if not cheapest:
                break  # later slots of this crew start later
    return None if best is None else best[2]


def _slot_key(
    problem: ScheduleProblem, task: TaskSpec, crew: CrewSpec, slot: Assignment, cheapest: bool
) -> tuple[int, int]:
    weights = problem.weights
    travel = weights.travel_per_km * commute_km(task, crew)
    if not cheapest:
        return (slot.start, travel)
    late = weights.lateness * task.priority * late_days(task, slot.end)
    return (travel * slot.days + late, slot.start)


def _result(
    problem: ScheduleProblem, domains: Domains, placed: dict[str, Assignment], seconds: float
) -> ScheduleResult:
    plan = tuple(placed.values())
    breakdown = evaluate(problem, plan, placeable_tasks(problem, domains))
    left = tuple(
        Unscheduled(task.id, explain_unscheduled(problem, task, domains, plan))
        for task in problem.tasks
        if task.id not in placed
    )
    return ScheduleResult(
        assignments=plan,
        unscheduled=left,
        objective=breakdown.total,
        bound=0,
        gap_pct=100.0,
        seconds=round(seconds, 3),
        status="GREEDY",
        breakdown=breakdown,
    )
