"""Fit an urgent visit (a leak) into a day that is already routed, in milliseconds.

Cheapest feasible insertion first: every position of every crew's route (and every idle
crew) is timed with the break placed; the cheapest in distance (plus an idle crew's fixed
cost) wins and every other route stays exactly as published. Only when no position fits does a
short PyVRP search start from the published plan, which may move other visits to make room.
"""

from __future__ import annotations

import dataclasses
import time

from roofops.engines.routing.insertion import cheapest_insertion
from roofops.engines.routing.model import (
    RoutingProblem,
    RoutingResult,
    Visit,
)
from roofops.engines.routing.screening import screen
from roofops.engines.routing.solver import build_result, solve, unplaced

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
    best = None if unserviceable else cheapest_insertion(day, current.routes, visit)
    if best is not None:
        routes = [r for r in current.routes if r.vehicle_id != best[1].vehicle_id] + [best[1]]
        elapsed = time.perf_counter() - started
        return build_result(day, routes, current.unassigned, elapsed, INSERTION_NAME)
    if not unserviceable and time_limit > 0:
        return solve(day, time_limit=time_limit, seed=seed, initial=current)
    left_out = [*current.unassigned, *(unserviceable or [unplaced(visit)])]
    return build_result(
        day, current.routes, left_out, time.perf_counter() - started, INSERTION_NAME
    )
