"""The objective's terms computed from a finished plan, in the solver's integer points.

The solver builds the same terms as constraints; this module is the reference both the greedy
dispatcher and the bench use to price a plan, and the tests use to check the solver's figure.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from roofops.engines.scheduling.model import (
    Assignment,
    CrewSpec,
    ObjectiveBreakdown,
    Point,
    ScheduleProblem,
    TaskSpec,
)

EARTH_RADIUS_KM = 6371.0


def distance_km(a: Point, b: Point) -> float:
    """Great-circle distance (haversine) between two (lat, lon) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def commute_km(task: TaskSpec, crew: CrewSpec) -> int:
    """Yard-to-site round trip in whole km: roof crews return to the yard every night."""
    return round(2 * distance_km(crew.home, task.site))


def late_days(task: TaskSpec, end: int) -> int:
    """Working days the task finishes after its promised day (0 without a promise)."""
    if task.promised is None:
        return 0
    return max(0, end - 1 - task.promised)


def idle_days(assignments: Iterable[Assignment]) -> int:
    """Days between one crew's first and last day of work on which it does not work."""
    plan = list(assignments)
    if not plan:
        return 0
    span = max(a.end for a in plan) - min(a.start for a in plan)
    return span - sum(a.days for a in plan)


def evaluate(
    problem: ScheduleProblem,
    assignments: Iterable[Assignment],
    placeable: frozenset[str],
) -> ObjectiveBreakdown:
    """Price a plan with the problem's weights.

    Parameters
    ----------
    problem : ScheduleProblem
        Tasks, crews, published plan and weights.
    assignments : iterable of Assignment
        The plan (assumed valid; run the plan check for that).
    placeable : frozenset of str
        Tasks some crew could take: only these cost ``weights.unscheduled`` when left out.

    Returns
    -------
    ObjectiveBreakdown
        The weighted terms and the unweighted late days and km.
    """
    plan = {a.task_id: a for a in assignments}
    tasks = {task.id: task for task in problem.tasks}
    crews = {crew.id: crew for crew in problem.crews}
    weights = problem.weights
    late = sum(
        late_days(tasks[a.task_id], a.end) * tasks[a.task_id].priority for a in plan.values()
    )
    km = sum(commute_km(tasks[a.task_id], crews[a.crew_id]) * a.days for a in plan.values())
    idle = sum(idle_days(a for a in plan.values() if a.crew_id == crew_id) for crew_id in crews)
    changes = sum(
        1
        for before in problem.published
        if before.task_id in tasks and _changed(before, plan.get(before.task_id))
    )
    missing = len(placeable - plan.keys())
    return ObjectiveBreakdown(
        lateness=weights.lateness * late,
        travel=weights.travel_per_km * km,
        idle=weights.idle * idle,
        changes=weights.change * changes,
        unscheduled=weights.unscheduled * missing,
        late_days=sum(late_days(tasks[a.task_id], a.end) for a in plan.values()),
        travel_km=km,
    )


def _changed(before: Assignment, after: Assignment | None) -> bool:
    return after is None or (after.crew_id, after.start) != (before.crew_id, before.start)
