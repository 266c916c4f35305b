"""Where a task may start on a crew: the hard rules (skills, lock, availability, weather,
materials, horizon) precomputed, so every start the solver or the greedy picks is feasible by
construction and consecutive working days are one interval."""

from __future__ import annotations

from roofops.engines.scheduling.model import CrewSpec, ScheduleProblem, TaskSpec

Domains = dict[str, dict[str, tuple[int, ...]]]  # task id -> crew id -> workable start days


def allowed_starts(problem: ScheduleProblem, task: TaskSpec, crew: CrewSpec) -> tuple[int, ...]:
    """Start days of ``task`` on ``crew`` whose whole window is workable.

    Parameters
    ----------
    problem : ScheduleProblem
        The horizon (its length bounds the last start).
    task : TaskSpec
        Its skills, lock, earliest day and forbidden (weather) days apply.
    crew : CrewSpec
        Its skills and unavailable days apply; the duration follows its productivity.

    Returns
    -------
    tuple of int
        Ascending day indices; empty when the crew cannot take the task at all.
    """
    if not task.can_be_done_by(crew) or not _lock_allows_crew(task, crew):
        return ()
    duration = task.duration_for(crew)
    blocked = crew.unavailable | task.forbidden_days.keys()
    candidates = range(task.earliest, problem.horizon - duration + 1)
    if task.lock is not None and task.lock.start is not None:
        candidates = range(task.lock.start, task.lock.start + 1)
    return tuple(
        start
        for start in candidates
        if task.earliest <= start <= problem.horizon - duration
        and not any(day in blocked for day in range(start, start + duration))
    )


def start_domains(problem: ScheduleProblem) -> Domains:
    """Allowed starts per task id, then per crew id, keeping only crews with at least one."""
    domains: Domains = {}
    for task in problem.tasks:
        per_crew = {crew.id: allowed_starts(problem, task, crew) for crew in problem.crews}
        domains[task.id] = {crew_id: starts for crew_id, starts in per_crew.items() if starts}
    return domains


def placeable_tasks(problem: ScheduleProblem, domains: Domains) -> frozenset[str]:
    """Tasks with a workable window on some crew whose predecessors are all placeable too."""
    placeable: set[str] = set()
    pending = [task for task in problem.tasks if domains[task.id]]
    progressed = True
    while progressed:  # predecessors first; tasks form a DAG (checked by the problem)
        progressed = False
        for task in list(pending):
            if all(before in placeable for before in task.predecessors):
                placeable.add(task.id)
                pending.remove(task)
                progressed = True
    return frozenset(placeable)


def _lock_allows_crew(task: TaskSpec, crew: CrewSpec) -> bool:
    return task.lock is None or task.lock.crew_id in (None, crew.id)
