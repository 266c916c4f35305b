"""Fit an urgent visit (a leak) into a day that is already routed, in milliseconds.

Cheapest feasible insertion first: every position of every crew's route (and every idle
crew) is timed with the break placed; the cheapest in distance (plus an idle crew's fixed
cost) wins and every other route stays exactly as published. Only when no position fits does a
short PyVRP search start from the published plan, which may move other visits to make room.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator

from roofops.engines.routing.model import (
    Route,
    RoutingProblem,
    RoutingResult,
    Vehicle,
    Visit,
)
from roofops.engines.routing.screening import screen
from roofops.engines.routing.solver import build_result, solve, unplaced
from roofops.engines.routing.timeline import plan_route

INSERTION_NAME = "cheapest-insertion"


def with_visit(problem: RoutingProblem, visit: Visit) -> RoutingProblem:
    """``problem`` with one more visit (the problem an urgent insertion's result belongs to)."""
    return dataclasses.replace(problem, visits=(*problem.visits, visit))


def insert_urgent(
    problem: RoutingProblem,
    current: RoutingResult,
    visit: Visit,
    *,
    time_limit: float = 0.5,
    seed: int = 0,
) -> RoutingResult:
    """Add ``visit`` to the day's plan ``current``, changing as little as possible.

    Parameters
    ----------
    problem
        The day ``current`` was planned for (without ``visit``).
    current
        The published plan.
    visit
        The urgent visit; its id must be new.
    time_limit
        Seconds of warm-started PyVRP search when no insertion fits (0: never search).
    seed
        Seed of that search.

    Returns
    -------
    RoutingResult
        A plan for ``with_visit(problem, visit)``: by insertion (solver
        ``"cheapest-insertion"``, other routes untouched), by a warm-started search, or
        ``current`` with the visit unassigned and the reason.
    """
    started = time.perf_counter()
    day = with_visit(problem, visit)
    _, unserviceable = screen(dataclasses.replace(day, visits=(visit,)))
    best = None if unserviceable else _cheapest_insertion(day, current, visit)
    if best is not None:
        routes = [r for r in current.routes if r.vehicle_id != best.vehicle_id] + [best]
        elapsed = time.perf_counter() - started
        return build_result(day, routes, current.unassigned, elapsed, INSERTION_NAME)
    if not unserviceable and time_limit > 0:
        return solve(day, time_limit=time_limit, seed=seed, initial=current)
    left_out = [*current.unassigned, *(unserviceable or [unplaced(visit)])]
    return build_result(
        day, current.routes, left_out, time.perf_counter() - started, INSERTION_NAME
    )


def _cheapest_insertion(day: RoutingProblem, current: RoutingResult, visit: Visit) -> Route | None:
    options = list(_insertions(day, current, visit))
    return min(options, key=lambda pair: pair[0])[1] if options else None


def _insertions(
    day: RoutingProblem, current: RoutingResult, visit: Visit
) -> Iterator[tuple[int, Route]]:
    """Every feasible placement of ``visit`` with its added cost."""
    for vehicle in day.vehicles:
        published = current.route_of(vehicle.id)
        if not _can_serve(vehicle, visit, day, published):
            continue
        visits = [day.visits_by_id[v] for v in published.visit_ids] if published else []
        before = published.distance if published else -vehicle.fixed_cost
        for position in range(len(visits) + 1):
            trial = [*visits[:position], visit, *visits[position:]]
            route = plan_route(vehicle, trial, day.matrix)
            if route is not None:
                yield route.distance - before, route


def _can_serve(
    vehicle: Vehicle, visit: Visit, day: RoutingProblem, published: Route | None
) -> bool:
    load = visit.demand + sum(
        day.visits_by_id[v].demand for v in (published.visit_ids if published else ())
    )
    roomy = vehicle.capacity is None or load <= vehicle.capacity
    return roomy and visit.required_skills <= vehicle.skills
