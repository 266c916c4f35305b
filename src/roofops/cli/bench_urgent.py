"""roofops bench urgent: urgent visits (leaks) inserted into a routed service day.

The day is routed once (the published plan); then each urgent visit is inserted into that same
plan on its own, as a dispatcher would when a call comes in, and every result passes the plan
check. The figure is the insertion's wall time: the target is under one second.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from typing import Any

from roofops.engines.plan_check.routes import check_routes
from roofops.engines.routing.generator import HOUR, service_day, urgent_visit
from roofops.engines.routing.solver import solve
from roofops.engines.routing.urgent import INSERTION_NAME, insert_urgent, with_visit


@dataclass(frozen=True)
class UrgentBenchSize:
    visits: int
    crews: int
    inserts: int
    route_seconds: float
    seed: int


def run_urgent_bench(size: UrgentBenchSize) -> dict[str, Any]:
    """Route the day, then time each urgent insertion; count placements and violations."""
    day = service_day(size.visits, size.crews, size.inserts, size.seed)
    published = solve(day.problem, time_limit=size.route_seconds, seed=size.seed)
    seconds, placed, searched, violations = [], 0, 0, 0
    for n, location in enumerate(day.urgent_locations):
        leak = urgent_visit(location, arrival_by=(10 + n % 6) * HOUR)
        started = time.perf_counter()
        result = insert_urgent(day.problem, published, leak)
        seconds.append(time.perf_counter() - started)
        placed += all(u.visit_id != leak.id for u in result.unassigned)
        searched += result.solver != INSERTION_NAME
        unassigned = [u.visit_id for u in result.unassigned]
        violations += len(check_routes(with_visit(day.problem, leak), result.routes, unassigned))
    return {
        "visits": size.visits,
        "crews": size.crews,
        "routed_unassigned": len(published.unassigned),
        "inserts": len(seconds),
        "placed": placed,
        "searched": searched,
        "median_seconds": round(statistics.median(seconds), 4),
        "p95_seconds": round(_p95(seconds), 4),
        "max_seconds": round(max(seconds), 4),
        "violations": violations,
    }


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
