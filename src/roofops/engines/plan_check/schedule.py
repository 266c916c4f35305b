"""Independent check of a production schedule, whoever made it (the solver, the greedy, a
dispatcher's drag and drop). It shares no code with the solver's constraints on purpose: a
bug in one should not hide in the other.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from roofops.engines.scheduling.model import Assignment, CrewSpec, ScheduleProblem, TaskSpec


@dataclass(frozen=True)
class Violation:
    """One broken rule: a stable code for programs and a sentence for people."""

    code: str
    task_id: str
    message: str
    other_task_id: str | None = None  # the second task of a double booking or precedence

    def involves(self, task_id: str) -> bool:
        return task_id in (self.task_id, self.other_task_id)


def check_schedule(
    problem: ScheduleProblem, assignments: Iterable[Assignment]
) -> tuple[Violation, ...]:
    """Every rule the plan breaks; empty when it can be saved.

    Parameters
    ----------
    problem : ScheduleProblem
        Crews, tasks and horizon the plan is for.
    assignments : iterable of Assignment
        The plan.

    Returns
    -------
    tuple of Violation
        Codes: unknown, duplicate, skills, duration, horizon, unavailable, weather, earliest,
        lock, in_progress, precedence, double_booked.
    """
    plan = list(assignments)
    tasks = {task.id: task for task in problem.tasks}
    crews = {crew.id: crew for crew in problem.crews}
    found = list(_unknown_or_duplicate(plan, tasks, crews))
    known = [a for a in plan if a.task_id in tasks and a.crew_id in crews]
    for placed in known:
        found.extend(_placement(problem, tasks[placed.task_id], crews[placed.crew_id], placed))
    by_task = {a.task_id: a for a in known}
    found.extend(_precedence(problem, by_task))
    found.extend(_in_progress_kept(problem, by_task))
    found.extend(_double_booked(problem, known))
    return tuple(found)


def check_move(
    problem: ScheduleProblem,
    assignments: Sequence[Assignment],
    task_id: str,
    crew_id: str,
    start: int,
) -> tuple[Violation, ...]:
    """Why a dispatcher's move of one task to a crew and start day is refused (empty: allowed).

    The task keeps the duration the target crew needs; only violations that the moved task
    takes part in are returned, so an unrelated old problem does not block the move.
    """
    if task_id not in {task.id for task in problem.tasks}:
        return (Violation("unknown", task_id, f"there is no task {task_id} in this horizon"),)
    if crew_id not in {crew.id for crew in problem.crews}:
        return (Violation("unknown", task_id, f"there is no crew {crew_id}"),)
    crew = problem.crew(crew_id)
    moved = Assignment(task_id, crew_id, start, start + problem.task(task_id).duration_for(crew))
    plan = [a for a in assignments if a.task_id != task_id] + [moved]
    return tuple(v for v in check_schedule(problem, plan) if v.involves(task_id))


def _unknown_or_duplicate(
    plan: list[Assignment], tasks: dict[str, TaskSpec], crews: dict[str, CrewSpec]
) -> Iterator[Violation]:
    seen: set[str] = set()
    for placed in plan:
        if placed.task_id not in tasks:
            yield Violation("unknown", placed.task_id, f"there is no task {placed.task_id}")
        elif placed.crew_id not in crews:
            yield Violation("unknown", placed.task_id, f"there is no crew {placed.crew_id}")
        elif placed.task_id in seen:
            yield Violation("duplicate", placed.task_id, f"{placed.task_id} is placed twice")
        seen.add(placed.task_id)


def _placement(
    problem: ScheduleProblem, task: TaskSpec, crew: CrewSpec, placed: Assignment
) -> Iterator[Violation]:
    """The rules one assignment must meet on its own."""
    missing = sorted(task.required_skills - crew.skills)
    if missing:
        skills = ", ".join(f"'{skill}'" for skill in missing)
        yield Violation("skills", task.id, f"{crew.label} has no {skills} skill")
    needed = task.duration_for(crew)
    if placed.days != needed:
        yield Violation(
            "duration",
            task.id,
            f"{crew.label} needs {needed} consecutive working day(s) for {task.id}, "
            f"the plan gives {placed.days}",
        )
    if placed.end > problem.horizon:
        yield Violation(
            "horizon", task.id, f"{task.id} runs past {problem.day_label(problem.horizon - 1)}"
        )
    yield from _days(problem, task, crew, placed)
    yield from _lock(problem, task, crew, placed)


def _days(
    problem: ScheduleProblem, task: TaskSpec, crew: CrewSpec, placed: Assignment
) -> Iterator[Violation]:
    if placed.start < task.earliest:
        yield Violation(
            "earliest",
            task.id,
            f"materials for {task.id} are not ready until {problem.day_label(task.earliest)}",
        )
    for day in range(placed.start, placed.end):
        if day in crew.unavailable:
            label = problem.day_label(day)
            yield Violation("unavailable", task.id, f"{crew.label} is not available on {label}")
        if day in task.forbidden_days:
            reason = task.forbidden_days[day]
            label = problem.day_label(day)
            yield Violation("weather", task.id, f"{task.id} cannot be worked on {label}: {reason}")


def _lock(
    problem: ScheduleProblem, task: TaskSpec, crew: CrewSpec, placed: Assignment
) -> Iterator[Violation]:
    lock = task.lock
    if lock is None:
        return
    if lock.crew_id is not None and lock.crew_id != crew.id:
        owner = problem.crew(lock.crew_id).label
        yield Violation("lock", task.id, f"{task.id} is locked to {owner}")
    if lock.start is not None and lock.start != placed.start:
        label = problem.day_label(lock.start)
        yield Violation("lock", task.id, f"{task.id} is locked to start on {label}")


def _precedence(problem: ScheduleProblem, by_task: dict[str, Assignment]) -> Iterator[Violation]:
    for task in problem.tasks:
        placed = by_task.get(task.id)
        if placed is None:
            continue
        for before_id in task.predecessors:
            before = by_task.get(before_id)
            if before is None:
                message = f"{task.id} is planned but {before_id} is not"
                yield Violation("precedence", task.id, message, before_id)
            elif before.end > placed.start:
                yield Violation(
                    "precedence",
                    task.id,
                    f"{task.id} starts {problem.day_label(placed.start)}, before {before_id} "
                    f"is finished ({problem.day_label(before.end - 1)})",
                    before_id,
                )


def _in_progress_kept(
    problem: ScheduleProblem, by_task: dict[str, Assignment]
) -> Iterator[Violation]:
    for task in problem.tasks:
        if task.in_progress and task.id not in by_task:
            yield Violation(
                "in_progress", task.id, f"{task.id} is in progress and must stay planned"
            )


def _double_booked(problem: ScheduleProblem, plan: list[Assignment]) -> Iterator[Violation]:
    for crew in problem.crews:
        on_crew = sorted((a for a in plan if a.crew_id == crew.id), key=lambda a: a.start)
        for first, second in itertools.pairwise(on_crew):
            if second.start < first.end:
                yield Violation(
                    "double_booked",
                    second.task_id,
                    f"{crew.label} is already on {first.task_id} on "
                    f"{problem.day_label(second.start)}",
                    first.task_id,
                )
