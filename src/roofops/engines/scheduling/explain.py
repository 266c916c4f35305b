"""Why a task is not in the plan, in the sentences the dispatch board shows."""

from __future__ import annotations

from collections.abc import Iterable

from roofops.engines.scheduling.model import Assignment, ScheduleProblem, TaskSpec
from roofops.engines.scheduling.windows import Domains


def explain_unscheduled(
    problem: ScheduleProblem,
    task: TaskSpec,
    domains: Domains,
    plan: Iterable[Assignment],
) -> str:
    """The first rule, from the most structural to capacity, that keeps ``task`` out.

    Parameters
    ----------
    problem : ScheduleProblem
        Crews, horizon and the other tasks.
    task : TaskSpec
        The task left out.
    domains : dict
        Allowed starts per task and crew (:func:`windows.start_domains`).
    plan : iterable of Assignment
        The plan the task is missing from (to name unscheduled predecessors).

    Returns
    -------
    str
        One or two sentences, e.g. ``"no crew has the skill metal"``.
    """
    skilled = [crew for crew in problem.crews if task.can_be_done_by(crew)]
    if not skilled:
        return _missing_skills(problem, task)
    if not domains[task.id]:
        return _no_window(problem, task)
    placed = {a.task_id for a in plan}
    waiting = [before for before in task.predecessors if before not in placed]
    if waiting:
        return f"its predecessor {', '.join(waiting)} is not scheduled"
    if task.promised is not None:
        return "no skilled crew free before the promised date, nor later within the horizon"
    return "no skilled crew free within the horizon"


def _missing_skills(problem: ScheduleProblem, task: TaskSpec) -> str:
    known = frozenset().union(*(crew.skills for crew in problem.crews))
    lacking = sorted(task.required_skills - known)
    if lacking:
        return f"no crew has the skill {', '.join(lacking)}"
    return f"no crew has all of the skills {', '.join(sorted(task.required_skills))}"


def _no_window(problem: ScheduleProblem, task: TaskSpec) -> str:
    if task.lock is not None:
        return (
            "its lock leaves no workable window (crew unavailable, weather or materials "
            "not ready on the locked days)"
        )
    skilled = [crew for crew in problem.crews if task.can_be_done_by(crew)]
    shortest = min(task.duration_for(crew) for crew in skilled)
    if task.earliest + shortest > problem.horizon:
        return (
            f"materials not ready until {problem.day_label(task.earliest)}, "
            "too late to finish within the horizon"
        )
    workable = [
        day for day in range(task.earliest, problem.horizon) if day not in task.forbidden_days
    ]
    if _longest_run(workable) < shortest:
        reasons = sorted(set(task.forbidden_days.values()))
        return f"weather on every workable start ({', '.join(reasons)})"
    return f"no skilled crew is available for {shortest} consecutive workable days"


def _longest_run(days: list[int]) -> int:
    longest = run = 0
    previous = None
    for day in days:
        run = run + 1 if previous is not None and day == previous + 1 else 1
        longest = max(longest, run)
        previous = day
    return longest
