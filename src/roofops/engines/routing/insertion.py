"""Cheapest feasible insertion of a visit into a day's routes, each position timed exactly.

Used for urgent visits, and after every search to put back visits the break placement had to
drop (PyVRP reserves the break's minutes but cannot say where the break goes).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from roofops.engines.routing.model import Route, RoutingProblem, Unassigned, Vehicle, Visit
from roofops.engines.routing.timeline import plan_route


def cheapest_insertion(
    problem: RoutingProblem, routes: Sequence[Route], visit: Visit
) -> tuple[int, Route] | None:
    """The cheapest feasible placement of ``visit`` in ``routes`` (or on an idle vehicle).

    Returns
    -------
    tuple of (int, Route) or None
        The added cost (distance, plus the fixed cost of a vehicle taken into use) and the
        re-timed route holding the visit; None when no position keeps every rule.
    """
    return min(_insertions(problem, routes, visit), key=lambda pair: pair[0], default=None)


def _insertions(
    problem: RoutingProblem, routes: Sequence[Route], visit: Visit
) -> Iterator[tuple[int, Route]]:
    by_vehicle = {route.vehicle_id: route for route in routes}
    for vehicle in problem.vehicles:
        current = by_vehicle.get(vehicle.id)
        visits = [problem.visits_by_id[v] for v in current.visit_ids] if current else []
        if not _can_carry(vehicle, visit, visits):
            continue
        before = current.distance if current else -vehicle.fixed_cost
        for position in range(len(visits) + 1):
            trial = [*visits[:position], visit, *visits[position:]]
            route = plan_route(vehicle, trial, problem.matrix)
            if route is not None:
                yield route.distance - before, route


def _can_carry(vehicle: Vehicle, visit: Visit, visits: list[Visit]) -> bool:
    load = visit.demand + sum(v.demand for v in visits)
    roomy = vehicle.capacity is None or load <= vehicle.capacity
    return roomy and visit.required_skills <= vehicle.skills


def reinsert(
    problem: RoutingProblem, routes: list[Route], left_out: list[Unassigned]
) -> tuple[list[Route], list[Unassigned]]:
    """Put back what fits: required visits first, then optional ones whose prize pays for
    the insertion, most valuable first."""
    still_out = []
    order = sorted(left_out, key=lambda u: _priority(problem.visits_by_id[u.visit_id]))
    for unassigned in order:
        visit = problem.visits_by_id[unassigned.visit_id]
        best = cheapest_insertion(problem, routes, visit)
        if best is None or (not visit.required and best[0] >= visit.prize):
            still_out.append(unassigned)
            continue
        routes = [r for r in routes if r.vehicle_id != best[1].vehicle_id] + [best[1]]
    return routes, still_out


def _priority(visit: Visit) -> tuple[bool, int]:
    return (not visit.required, -visit.prize)
