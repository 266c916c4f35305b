"""roofops bench routing: the routing engine (and, with peers, OR-Tools and VROOM) on Solomon
VRPTW files, each solution checked and measured in the DIMACS convention against the best-known.

Nothing is tuned to an instance: every file gets the same engine, limit and seed. A solution
that misses a customer, a window or a capacity is reported as an error, never as a figure.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from statistics import fmean
from typing import Any

from roofops.engines.plan_check.routes import check_routes
from roofops.engines.routing.model import RoutingProblem
from roofops.engines.routing.peers import PeerPlan, Sequences, solve_ortools, solve_vroom
from roofops.engines.routing.solomon import SCALE, SolomonInstance, read_solomon
from roofops.engines.routing.solver import solve
from roofops.engines.routing.timeline import plan_route

SEED = 1
Solver = Callable[[RoutingProblem, float], PeerPlan]


@dataclass(frozen=True)
class Measured:
    """One solver on one instance: DIMACS distance, gap to the best-known, or the error."""

    name: str
    vehicles: int
    distance: float | None
    gap_pct: float | None
    seconds: float
    error: str | None = None

    def as_json(self) -> dict[str, Any]:
        row = {
            "name": self.name,
            "vehicles": self.vehicles,
            "distance": self.distance,
            "gap_pct": self.gap_pct,
            "seconds": self.seconds,
        }
        return row if self.error is None else {**row, "error": self.error}


def _engine(problem: RoutingProblem, time_limit: float) -> PeerPlan:
    result = solve(problem, time_limit=time_limit, seed=SEED)
    routes = [(route.vehicle_id, list(route.visit_ids)) for route in result.routes]
    return PeerPlan("pyvrp", routes, result.seconds)


SOLVERS: dict[str, Solver] = {
    "pyvrp": _engine,
    "ortools": lambda problem, limit: solve_ortools(problem, time_limit=limit),
    "vroom": lambda problem, limit: solve_vroom(problem, time_limit=limit),
}


def run_routing_bench(
    instances: Path,
    bks: Path,
    time_limit: float,
    *,
    peers: bool,
    progress: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """Solve every ``*.txt`` under ``instances`` with the engine (and the peers).

    Returns
    -------
    dict
        ``{"instances": [...], "mean_gap_pct": ...}`` and, with ``peers``, ``"peers"``: one
        object of the same shape per peer solver.
    """
    best = read_bks(bks)
    names = ["pyvrp", "ortools", "vroom"] if peers else ["pyvrp"]
    rows: dict[str, list[Measured]] = {name: [] for name in names}
    for instance in _instances(instances):
        for name in names:
            progress(f"{instance.name}: {name}")
            plan = SOLVERS[name](instance.problem, time_limit)
            rows[name].append(measure(instance, plan, best.get(instance.name.upper())))
    figures = _summary(rows["pyvrp"])
    if peers:
        figures["peers"] = {name: _summary(rows[name]) for name in names[1:]}
    return figures


def read_bks(path: Path) -> dict[str, float]:
    """Best-known DIMACS distances by upper-cased instance name (other columns ignored)."""
    with path.open(newline="") as handle:
        return {
            row["instance"].strip().upper(): float(row["dimacs_distance_bks"])
            for row in csv.DictReader(handle)
            if row.get("dimacs_distance_bks", "").strip()
        }


def _instances(directory: Path) -> Iterator[SolomonInstance]:
    files = sorted(p for p in directory.iterdir() if p.suffix.lower() == ".txt")
    if not files:
        raise FileNotFoundError(f"no Solomon .txt files in {directory}")
    for path in files:
        yield read_solomon(path)


def measure(instance: SolomonInstance, plan: PeerPlan, best: float | None) -> Measured:
    """The plan re-timed and checked on the DIMACS matrix: its distance and gap, or the error."""
    seconds = round(plan.seconds, 2)
    error = _violation(instance.problem, plan.routes) if plan.routes else "no solution in time"
    if error is not None:
        return Measured(instance.name, len(plan.routes), None, None, seconds, error)
    distance = _distance(instance.problem, plan.routes)
    gap = round(100 * (distance - best) / best, 2) if best else None
    return Measured(instance.name, len(plan.routes), distance, gap, seconds)


def _violation(problem: RoutingProblem, sequences: Sequences) -> str | None:
    """The first broken rule (customer missing or repeated, window, capacity, depot hours)."""
    routes = []
    for vehicle_id, visit_ids in sequences:
        vehicle = problem.vehicles_by_id[vehicle_id]
        route = plan_route(vehicle, [problem.visits_by_id[v] for v in visit_ids], problem.matrix)
        if route is None:
            return f"route of {vehicle_id} cannot keep its windows or the depot's hours"
        routes.append(route)
    violations = check_routes(problem, routes)
    return violations[0].message if violations else None


def _distance(problem: RoutingProblem, sequences: Sequences) -> float:
    tenths = 0
    for vehicle_id, visit_ids in sequences:
        vehicle = problem.vehicles_by_id[vehicle_id]
        places = [problem.visits_by_id[v].location for v in visit_ids]
        tenths += problem.matrix.path_metres(
            [vehicle.start_location, *places, vehicle.end_location]
        )
    return tenths / SCALE


def _summary(rows: list[Measured]) -> dict[str, Any]:
    gaps = [row.gap_pct for row in rows if row.gap_pct is not None]
    failed = any(row.error for row in rows)
    mean = None if failed or not gaps else round(fmean(gaps), 3)
    return {"instances": [row.as_json() for row in rows], "mean_gap_pct": mean}
