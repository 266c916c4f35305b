"""Other routing solvers on the same problems, for the benchmark (and OR-Tools as a fallback).

They cover the classic VRPTW subset: time windows, service times, loads and capacities, shifts,
start and end locations. Skills, breaks, prizes and fixed costs are PyVRP-engine features; a
problem using them is refused rather than silently solved without them. Each returns the visit
ids of every route in driving order and the seconds it took; the caller times and checks them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from roofops.engines.routing.model import RoutingInputError, RoutingProblem

Sequences = list[tuple[str, list[str]]]  # (vehicle id, visit ids in order)


@dataclass(frozen=True)
class PeerPlan:
    """A peer solver's routes (vehicle id, visit ids in order) and its wall-clock seconds."""

    solver: str
    routes: Sequences
    seconds: float


def _classic_only(problem: RoutingProblem) -> None:
    extras = any(v.required_skills or not v.required for v in problem.visits) or any(
        v.break_ or v.fixed_cost or v.skills for v in problem.vehicles
    )
    if extras:
        raise RoutingInputError("the peer solvers take only windows, service, loads and shifts")


def solve_ortools(problem: RoutingProblem, *, time_limit: float) -> PeerPlan:
    """OR-Tools routing: parallel cheapest insertion, then guided local search, one thread.

    Parameters
    ----------
    problem
        A classic VRPTW problem (see the module note).
    time_limit
        Seconds for the whole search.

    Returns
    -------
    PeerPlan
        The routes found (none when OR-Tools found no solution in time).
    """
    from ortools.constraint_solver import pywrapcp

    _classic_only(problem)
    started = time.perf_counter()
    nodes = _ortools_nodes(problem)
    manager = pywrapcp.RoutingIndexManager(
        len(nodes),
        len(problem.vehicles),
        [nodes.index(("start", v.id)) for v in problem.vehicles],
        [nodes.index(("end", v.id)) for v in problem.vehicles],
    )
    routing = pywrapcp.RoutingModel(manager)
    locations = [_node_location(problem, node) for node in nodes]
    _ortools_dimensions(problem, routing, manager, nodes, locations)
    solution = routing.SolveWithParameters(_ortools_parameters(time_limit))
    routes = _ortools_routes(problem, routing, manager, nodes, solution) if solution else []
    return PeerPlan("ortools", routes, time.perf_counter() - started)


def _ortools_nodes(problem: RoutingProblem) -> list[tuple[str, str]]:
    """OR-Tools wants one node per start and end of each vehicle, then the visits."""
    ends = [(kind, v.id) for v in problem.vehicles for kind in ("start", "end")]
    return ends + [("visit", v.id) for v in problem.visits]


def _node_location(problem: RoutingProblem, node: tuple[str, str]) -> int:
    kind, key = node
    if kind == "visit":
        return problem.visits_by_id[key].location
    vehicle = problem.vehicles_by_id[key]
    return vehicle.start_location if kind == "start" else vehicle.end_location


def _ortools_dimensions(
    problem: RoutingProblem, routing: Any, manager: Any, nodes: list[tuple[str, str]], at: list[int]
) -> None:
    matrix = problem.matrix
    service = [
        problem.visits_by_id[key].service_minutes if kind == "visit" else 0 for kind, key in nodes
    ]

    def callback(fn: Callable[[int, int], int]) -> int:
        return int(
            routing.RegisterTransitCallback(
                lambda i, j: fn(manager.IndexToNode(i), manager.IndexToNode(j))
            )
        )

    distance = callback(lambda a, b: matrix.metres(at[a], at[b]))
    routing.SetArcCostEvaluatorOfAllVehicles(distance)
    transit = callback(lambda a, b: service[a] + matrix.minutes(at[a], at[b]))
    horizon = max(v.shift[1] for v in problem.vehicles)
    routing.AddDimension(transit, horizon, horizon, False, "time")
    _ortools_windows(problem, routing, manager, nodes, routing.GetDimensionOrDie("time"))
    demand = [problem.visits_by_id[k].demand if kind == "visit" else 0 for kind, k in nodes]
    load = routing.RegisterUnaryTransitCallback(lambda i: demand[manager.IndexToNode(i)])
    capacities = [v.capacity if v.capacity is not None else sum(demand) for v in problem.vehicles]
    routing.AddDimensionWithVehicleCapacity(load, 0, capacities, True, "load")


def _ortools_windows(
    problem: RoutingProblem, routing: Any, manager: Any, nodes: list[tuple[str, str]], time_: Any
) -> None:
    for node, (kind, key) in enumerate(nodes):
        if kind == "visit":
            index = manager.NodeToIndex(node)
            time_.CumulVar(index).SetRange(*problem.visits_by_id[key].window)
    for number, vehicle in enumerate(problem.vehicles):
        time_.CumulVar(routing.Start(number)).SetRange(*vehicle.shift)
        time_.CumulVar(routing.End(number)).SetRange(*vehicle.shift)


def _ortools_parameters(time_limit: float) -> Any:
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    parameters = pywrapcp.DefaultRoutingSearchParameters()
    strategy = routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    parameters.first_solution_strategy = strategy
    metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    parameters.local_search_metaheuristic = metaheuristic
    parameters.time_limit.FromTimedelta(timedelta(seconds=time_limit))
    return parameters


def _ortools_routes(
    problem: RoutingProblem, routing: Any, manager: Any, nodes: list[tuple[str, str]], found: Any
) -> Sequences:
    routes: Sequences = []
    for number, vehicle in enumerate(problem.vehicles):
        index, visits = found.Value(routing.NextVar(routing.Start(number))), []
        while not routing.IsEnd(index):
            visits.append(nodes[manager.IndexToNode(index)][1])
            index = found.Value(routing.NextVar(index))
        if visits:
            routes.append((vehicle.id, visits))
    return routes


def solve_vroom(problem: RoutingProblem, *, time_limit: float) -> PeerPlan:
    """VROOM (pyvroom) at its deepest exploration, one thread, stopped at ``time_limit``.

    Parameters
    ----------
    problem
        A classic VRPTW problem (see the module note).
    time_limit
        Seconds before VROOM stops and returns its best.

    Returns
    -------
    PeerPlan
        The routes found.
    """
    import numpy as np
    import vroom

    _classic_only(problem)
    started = time.perf_counter()
    solver = vroom.Input()
    solver.set_durations_matrix("car", np.array(problem.matrix.durations, dtype=np.uint32))
    solver.set_costs_matrix("car", np.array(problem.matrix.distances, dtype=np.uint32))
    for number, v in enumerate(problem.vehicles):
        capacity = [v.capacity if v.capacity is not None else 2**31 - 1]
        window = vroom.TimeWindow(*v.shift)
        solver.add_vehicle(
            vroom.Vehicle(
                number, v.start_location, v.end_location, capacity=capacity, time_window=window
            )
        )
    for number, visit in enumerate(problem.visits):
        solver.add_job(
            vroom.Job(
                number,
                visit.location,
                default_service=visit.service_minutes,
                delivery=[visit.demand],
                time_windows=[vroom.TimeWindow(*visit.window)],
            )
        )
    solution = solver.solve(
        exploration_level=5, nb_threads=1, timeout=timedelta(seconds=time_limit)
    )
    return PeerPlan("vroom", _vroom_routes(problem, solution.routes), time.perf_counter() - started)


def _vroom_routes(problem: RoutingProblem, steps: Any) -> Sequences:
    jobs = steps[steps["type"] == "job"]
    routes: Sequences = []
    for number, group in jobs.groupby("vehicle_id", sort=True):
        visits = [problem.visits[int(job)].id for job in group["id"]]
        routes.append((problem.vehicles[int(number)].id, visits))
    return routes
