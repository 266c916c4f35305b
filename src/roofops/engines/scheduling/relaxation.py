"""The time-indexed linear relaxation: a proven lower bound and a near-integral warm start.

One column per (task, crew, workable start), each crew-day worked at most once, phases in
order. With tasks of one to a few days this LP is close to a matching and its optimum is
nearly integral, so it bounds travel and lateness far better than CP-SAT's own relaxation
of the interval model, and rounding it gives the search a plan close to optimal. Idle
crew-days (never negative) are left out, which keeps the bound valid.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from roofops.engines.scheduling.model import Assignment, ScheduleProblem, TaskSpec
from roofops.engines.scheduling.objective import commute_km, late_days
from roofops.engines.scheduling.windows import Domains

Column = tuple[str, str, int]  # task id, crew id, start


@dataclass(frozen=True)
class Relaxation:
    """The LP's lower bound on the objective and its solution rounded to a valid partial plan."""

    bound: int
    plan: tuple[Assignment, ...]


def solve_relaxation(
    problem: ScheduleProblem,
    domains: Domains,
    placeable: frozenset[str],
    change_weights: Mapping[str, int],
    time_limit: float,
) -> Relaxation | None:
    """Solve the time-indexed LP with GLOP.

    Parameters
    ----------
    problem : ScheduleProblem
        Tasks, crews, weights and the published plan (changes are priced as in the solver).
    domains : dict
        Workable starts per task and crew.
    placeable : frozenset of str
        Tasks with a column; the others are out of the model.
    change_weights : mapping of str to int
        Per-task change cost overriding ``weights.change``.
    time_limit : float
        Seconds for GLOP.

    Returns
    -------
    Relaxation or None
        None when GLOP does not reach the optimum in time (then there is no valid bound).
    """
    from ortools.linear_solver import pywraplp

    lp = pywraplp.Solver.CreateSolver("GLOP")
    lp.SetTimeLimit(max(1, int(time_limit * 1000)))
    tasks = [task for task in problem.tasks if task.id in placeable]
    columns, unscheduled, constant = _columns(lp, problem, tasks, domains, change_weights)
    _crew_days(lp, problem, columns)
    _precedence(lp, problem, tasks, columns, unscheduled)
    if lp.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    bound = math.ceil(lp.Objective().Value() + constant - 1e-6)
    return Relaxation(bound, _rounded(problem, columns))


def _columns(
    lp: Any,
    problem: ScheduleProblem,
    tasks: list[TaskSpec],
    domains: Domains,
    change_weights: Mapping[str, int],
) -> tuple[dict[Column, Any], dict[str, Any], int]:
    weights = problem.weights
    published = {a.task_id: (a.crew_id, a.start) for a in problem.published}
    columns: dict[Column, Any] = {}
    unscheduled: dict[str, Any] = {}
    objective = lp.Objective()
    constant = 0
    for task in tasks:
        unscheduled[task.id] = lp.NumVar(0, 1, f"u[{task.id}]")
        objective.SetCoefficient(unscheduled[task.id], weights.unscheduled)
        change = change_weights.get(task.id, weights.change) if task.id in published else 0
        constant += change  # a change costs unless the published column is chosen
        row = lp.Constraint(1, 1)
        row.SetCoefficient(unscheduled[task.id], 1)
        for crew_id, starts in domains[task.id].items():
            crew = problem.crew(crew_id)
            days = task.duration_for(crew)
            travel = weights.travel_per_km * commute_km(task, crew) * days
            for start in starts:
                column = lp.NumVar(0, 1, f"x[{task.id},{crew_id},{start}]")
                late = weights.lateness * task.priority * late_days(task, start + days)
                kept = change if published.get(task.id) == (crew_id, start) else 0
                objective.SetCoefficient(column, travel + late - kept)
                row.SetCoefficient(column, 1)
                columns[task.id, crew_id, start] = column
    objective.SetMinimization()
    return columns, unscheduled, constant


def _crew_days(lp: Any, problem: ScheduleProblem, columns: dict[Column, Any]) -> None:
    on_day: dict[tuple[str, int], list[Any]] = {}
    for (task_id, crew_id, start), column in columns.items():
        days = problem.task(task_id).duration_for(problem.crew(crew_id))
        for day in range(start, start + days):
            on_day.setdefault((crew_id, day), []).append(column)
    for literals in on_day.values():
        if len(literals) > 1:
            row = lp.Constraint(0, 1)
            for column in literals:
                row.SetCoefficient(column, 1)


def _precedence(
    lp: Any,
    problem: ScheduleProblem,
    tasks: list[TaskSpec],
    columns: dict[Column, Any],
    unscheduled: dict[str, Any],
) -> None:
    """end(before) <= start(after) + horizon * unscheduled(after), and a left-out
    predecessor leaves its follower out."""
    by_task: dict[str, list[tuple[Column, Any]]] = {}
    for key, column in columns.items():
        by_task.setdefault(key[0], []).append((key, column))
    for task in tasks:
        for before in task.predecessors:
            row = lp.Constraint(-lp.infinity(), 0)
            for (_, crew_id, start), column in by_task[before]:
                row.SetCoefficient(column, start + task_days(problem, before, crew_id))
            for (_, _, start), column in by_task[task.id]:
                row.SetCoefficient(column, -start)
            row.SetCoefficient(unscheduled[task.id], -problem.horizon)
            follows = lp.Constraint(-lp.infinity(), 0)
            follows.SetCoefficient(unscheduled[before], 1)
            follows.SetCoefficient(unscheduled[task.id], -1)


def task_days(problem: ScheduleProblem, task_id: str, crew_id: str) -> int:
    return problem.task(task_id).duration_for(problem.crew(crew_id))


def _rounded(problem: ScheduleProblem, columns: dict[Column, Any]) -> tuple[Assignment, ...]:
    """A valid partial plan from the LP: the integral columns first (they never clash), then
    each fractional task's columns by decreasing value where the crew is free and the
    predecessors are placed and finished. The greedy completes what is left."""
    options: dict[str, list[tuple[float, Column]]] = {}
    for key, column in columns.items():
        value = column.solution_value()
        if value > 1e-6:
            options.setdefault(key[0], []).append((value, key))
    for choices in options.values():
        choices.sort(reverse=True)
    integral = {task_id for task_id, choices in options.items() if choices[0][0] > 1 - 1e-6}
    by_start = sorted(options, key=lambda task_id: options[task_id][0][1][2])
    pending = [t for t in by_start if t in integral] + [t for t in by_start if t not in integral]
    placement = _Placement(problem)
    progressed = True
    while progressed:  # a follower may come before its predecessor in that order
        placed = [t for t in pending if any(placement.try_place(*key) for _, key in options[t])]
        pending = [t for t in pending if t not in placement.placed]
        progressed = bool(placed)
    return tuple(placement.placed.values())


class _Placement:
    """Crews' busy days and the tasks placed so far."""

    def __init__(self, problem: ScheduleProblem) -> None:
        self.problem = problem
        self.busy: dict[str, set[int]] = {crew.id: set() for crew in problem.crews}
        self.placed: dict[str, Assignment] = {}

    def try_place(self, task_id: str, crew_id: str, start: int) -> bool:
        end = start + task_days(self.problem, task_id, crew_id)
        before = self.problem.task(task_id).predecessors
        ready = all(b in self.placed and self.placed[b].end <= start for b in before)
        if not ready or not self.busy[crew_id].isdisjoint(range(start, end)):
            return False
        self.placed[task_id] = Assignment(task_id, crew_id, start, end)
        self.busy[crew_id].update(range(start, end))
        return True
