"""Route a day with PyVRP (iterated local search), one thread, a time limit and a seed.

How the day maps onto PyVRP (it has no skills, no breaks and no "must serve if it can"):

- **skills**: one load dimension per skill; a visit delivers one unit of each skill it needs, a
  vehicle holds room for every visit in the dimensions of its skills and none in the others.
- **start and end**: every distinct start or end location is a PyVRP depot.
- **required visits** are given to PyVRP as optional with a prize larger than any detour, so
  the solver serves them whenever it can and an overfull day still returns a feasible plan,
  the rest listed as unassigned. Visits no vehicle could ever serve (missing skill, window
  outside every reachable shift) never reach the solver: they are unassigned up front.
- **breaks**: PyVRP routes the day without them, then
  :func:`~roofops.engines.routing.timeline.plan_route` places each crew's break where the route
  allows (at the start, or after any stop, often inside waiting time); where it does not fit,
  the least valuable visits are dropped until it does, then put back wherever they fit by
  cheapest insertion. Taking the break's minutes off PyVRP's maximum route duration instead
  was tried: it served no more visits, and it made a published plan look infeasible to PyVRP,
  so a warm start from it was thrown away. The plan check verifies the outcome like any other
  plan (the result's ``feasible`` flag is its verdict).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from roofops.engines.plan_check.routes import check_routes
from roofops.engines.routing.insertion import reinsert
from roofops.engines.routing.model import (
    Route,
    RoutingProblem,
    RoutingResult,
    Unassigned,
    Vehicle,
    Visit,
)
from roofops.engines.routing.screening import screen
from roofops.engines.routing.timeline import plan_route

if TYPE_CHECKING:
    from pyvrp import ProblemData, Solution

SOLVER_NAME = "pyvrp"


@dataclass
class _Encoding:
    """The PyVRP view of a problem and the way back to visit and vehicle ids."""

    data: ProblemData
    visits: list[Visit]  # by PyVRP client index
    fleets: list[list[Vehicle]]  # by PyVRP vehicle type: the identical vehicles it stands for
    client_of: dict[str, int] = field(default_factory=dict)
    type_of: dict[str, int] = field(default_factory=dict)


def solve(
    problem: RoutingProblem,
    *,
    time_limit: float = 5.0,
    seed: int = 0,
    initial: RoutingResult | None = None,
) -> RoutingResult:
    """Route ``problem``'s visits onto its vehicles.

    Parameters
    ----------
    problem
        Visits, vehicles and the travel matrix.
    time_limit
        Seconds PyVRP searches (wall clock, one thread).
    seed
        Seed of PyVRP's random stream: the same inputs and seed give the same plan.
    initial
        A previous plan (for instance the published one) to start the search from; routes of
        vehicles or visits no longer in ``problem`` are ignored.

    Returns
    -------
    RoutingResult
        The routes, the unassigned visits each with its reason, and the plan check's verdict.
    """
    started = time.perf_counter()
    routable, unassigned = screen(problem)
    routes: list[Route] = []
    if routable:
        encoding = _encode(problem, routable)
        solution = _search(encoding, time_limit, seed, initial)
        routes, dropped = reinsert(problem, *_decode(problem, encoding, solution))
        unassigned += dropped
    return build_result(problem, routes, unassigned, time.perf_counter() - started, SOLVER_NAME)


def build_result(
    problem: RoutingProblem,
    routes: Sequence[Route],
    unassigned: Sequence[Unassigned],
    seconds: float,
    solver: str,
) -> RoutingResult:
    """A result with its objective, totals and the plan check's verdict."""
    left_out = {u.visit_id for u in unassigned}
    violations = check_routes(problem, routes, left_out)
    used = {route.vehicle_id for route in routes}
    objective = (
        sum(v.fixed_cost for v in problem.vehicles if v.id in used)
        + sum(route.distance for route in routes)
        + sum(v.prize for v in problem.visits if v.id in left_out and not v.required)
    )
    required_out = any(problem.visits_by_id[u].required for u in left_out)
    order = {vehicle.id: index for index, vehicle in enumerate(problem.vehicles)}
    return RoutingResult(
        # In the problem's crew order, so a board lists crews the same way every time.
        routes=tuple(sorted(routes, key=lambda r: order.get(r.vehicle_id, len(order)))),
        unassigned=tuple(sorted(unassigned, key=lambda u: u.visit_id)),
        objective=objective,
        distance=sum(route.distance for route in routes),
        duration=sum(route.duration for route in routes),
        seconds=round(seconds, 3),
        solver=solver,
        feasible=not violations and not required_out,
        notes=tuple(v.message for v in violations),
    )


def _encode(problem: RoutingProblem, visits: list[Visit]) -> _Encoding:
    import numpy as np
    from pyvrp import Client, Depot, Location, ProblemData

    skills = sorted({skill for visit in visits for skill in visit.required_skills})
    with_load = any(v.demand for v in visits) or any(v.capacity for v in problem.vehicles)
    fleets = _fleets(problem.vehicles)
    depots = sorted({p for v in problem.vehicles for p in (v.start_location, v.end_location)})
    must_prize = _required_prize(problem)
    clients = [
        Client(
            location=visit.location,
            delivery=[int(s in visit.required_skills) for s in skills]
            + ([visit.demand] if with_load else []),
            service_duration=visit.service_minutes,
            tw_early=visit.window[0],
            tw_late=visit.window[1],
            prize=must_prize if visit.required else visit.prize,
            required=False,
            name=visit.id,
        )
        for visit in visits
    ]
    data = ProblemData(
        locations=[Location(0, 0) for _ in range(problem.matrix.size)],
        clients=clients,
        depots=[Depot(location=place) for place in depots],
        vehicle_types=[_vehicle_type(f, depots, skills, with_load, len(visits)) for f in fleets],
        # PyVRP's stubs type a matrix as ndarray[int]; numpy's own shape type differs.
        distance_matrices=[cast(Any, np.array(problem.matrix.distances, dtype=np.int64))],
        duration_matrices=[cast(Any, np.array(problem.matrix.durations, dtype=np.int64))],
    )
    encoding = _Encoding(data, visits, fleets)
    encoding.client_of = {visit.id: index for index, visit in enumerate(visits)}
    encoding.type_of = {v.id: index for index, fleet in enumerate(fleets) for v in fleet}
    return encoding


def _fleets(vehicles: Sequence[Vehicle]) -> list[list[Vehicle]]:
    """Identical vehicles (all but the id) form one PyVRP vehicle type: the search then does
    not waste time swapping interchangeable routes."""
    fleets: dict[tuple[Any, ...], list[Vehicle]] = {}
    for v in vehicles:
        key = (v.start_location, v.end_location, v.shift, v.skills, v.break_, v.fixed_cost)
        fleets.setdefault((*key, v.capacity), []).append(v)
    return list(fleets.values())


def _vehicle_type(
    fleet: list[Vehicle], depots: list[int], skills: list[str], with_load: bool, visits: int
) -> Any:
    from pyvrp import VehicleType

    vehicle = fleet[0]
    shift_start, shift_end = vehicle.shift
    capacity = [visits if s in vehicle.skills else 0 for s in skills]
    if with_load:
        capacity.append(vehicle.capacity if vehicle.capacity is not None else 10**9)
    return VehicleType(
        num_available=len(fleet),
        capacity=capacity,
        start_depot=depots.index(vehicle.start_location),
        end_depot=depots.index(vehicle.end_location),
        fixed_cost=vehicle.fixed_cost,
        tw_early=shift_start,
        tw_late=shift_end,
        name=vehicle.id,
    )


def _required_prize(problem: RoutingProblem) -> int:
    """More than serving any one visit can cost (a round trip on the longest arcs and a
    vehicle's fixed cost), so a required visit is left out only when it cannot fit."""
    longest = max(max(row) for row in problem.matrix.distances)
    return 4 * longest + 2 * max(v.fixed_cost for v in problem.vehicles) + 1


def _search(
    encoding: _Encoding, time_limit: float, seed: int, initial: RoutingResult | None
) -> Solution:
    import pyvrp
    from pyvrp.stop import MaxRuntime

    warm = _warm_start(encoding, initial) if initial else None
    result = pyvrp.solve(
        encoding.data,
        stop=MaxRuntime(time_limit),
        seed=seed,
        collect_stats=False,
        display=False,
        initial_solution=warm,
    )
    return result.best


def _warm_start(encoding: _Encoding, initial: RoutingResult) -> Solution | None:
    """The previous plan as a PyVRP solution, keeping what still exists in the problem."""
    from pyvrp import Route as PyvrpRoute
    from pyvrp import Solution

    routes = []
    for route in initial.routes:
        visits = [encoding.client_of[v] for v in route.visit_ids if v in encoding.client_of]
        if visits and route.vehicle_id in encoding.type_of:
            vehicle_type = encoding.type_of[route.vehicle_id]
            routes.append(PyvrpRoute(encoding.data, visits, vehicle_type))
    return Solution(encoding.data, routes) if routes else None


def _decode(
    problem: RoutingProblem, encoding: _Encoding, solution: Solution
) -> tuple[list[Route], list[Unassigned]]:
    pools = [list(fleet) for fleet in encoding.fleets]
    routes, unassigned = [], []
    for pyvrp_route in solution.routes():
        vehicle = pools[pyvrp_route.vehicle_type()].pop(0)
        visits = [encoding.visits[a.idx] for a in pyvrp_route if a.is_client()]
        route, dropped = _fit_route(vehicle, visits, problem)
        routes += [route] if route else []
        unassigned += [unplaced(visit) for visit in dropped]
    routed = {visit_id for route in routes for visit_id in route.visit_ids}
    dropped_ids = {u.visit_id for u in unassigned}
    unassigned += [
        unplaced(v) for v in encoding.visits if v.id not in routed and v.id not in dropped_ids
    ]
    return routes, unassigned


def _fit_route(
    vehicle: Vehicle, visits: list[Visit], problem: RoutingProblem
) -> tuple[Route | None, list[Visit]]:
    """The route of ``visits`` in this order, dropping what the vehicle cannot serve (a skill
    it lacks: a short search may end on a penalised plan) and then the least valuable visits
    (optional before required, lower prize first) until the load, the break and every window
    fit."""
    dropped = [v for v in visits if not v.required_skills <= vehicle.skills]
    visits = [v for v in visits if v not in dropped]
    while visits:
        route = _timed(vehicle, visits, problem)
        if route is not None:
            return route, dropped
        victim = _cheapest_to_drop(vehicle, visits, problem)
        visits = [v for v in visits if v is not victim]
        dropped.append(victim)
    return None, dropped


def _timed(vehicle: Vehicle, visits: list[Visit], problem: RoutingProblem) -> Route | None:
    load = sum(visit.demand for visit in visits)
    if vehicle.capacity is not None and load > vehicle.capacity:
        return None
    return plan_route(vehicle, visits, problem.matrix)


def _cheapest_to_drop(vehicle: Vehicle, visits: list[Visit], problem: RoutingProblem) -> Visit:
    def value(visit: Visit) -> tuple[bool, bool, int]:
        rest = [v for v in visits if v is not visit]
        fits = not rest or _timed(vehicle, rest, problem) is not None
        return (not fits, visit.required, visit.prize)

    return min(visits, key=value)


def unplaced(visit: Visit) -> Unassigned:
    """Why a serviceable visit ended up in no route."""
    if visit.required:
        return Unassigned(
            visit.id, "no_room", "No crew with the skills has room for it inside its window."
        )
    return Unassigned(
        visit.id,
        "not_worth_it",
        f"Optional: its prize ({visit.prize}) does not pay for the detour, "
        "or the crews with the skills are full.",
    )
