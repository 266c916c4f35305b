"""Solomon VRPTW files as routing problems, in the DIMACS convention.

DIMACS scores the Euclidean distance of each arc truncated to one decimal. Scaled by 10 the
distances are exact integers (``isqrt(100 * (dx^2 + dy^2))`` on Solomon's integer coordinates),
and travel time equals distance, so windows and service times are scaled by 10 as well.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from roofops.engines.routing.model import RoutingProblem, TravelMatrix, Vehicle, Visit

SCALE = 10  # DIMACS keeps one decimal


@dataclass(frozen=True)
class SolomonInstance:
    """A Solomon instance: the problem (depot at location 0, customers 1..n) and its name."""

    name: str
    problem: RoutingProblem


def read_solomon(path: Path) -> SolomonInstance:
    """Read a Solomon-format file.

    Parameters
    ----------
    path
        The instance (VEHICLE NUMBER/CAPACITY, then CUST NO., XCOORD., YCOORD., DEMAND,
        READY TIME, DUE DATE, SERVICE TIME per node; node 0 is the depot).

    Returns
    -------
    SolomonInstance
        Distances and times in tenths (see :data:`SCALE`); every customer required; as many
        identical vehicles as the file allows, each with the file's capacity and the depot's
        window as its shift.
    """
    import vrplib

    raw = vrplib.read_instance(str(path), instance_format="solomon")
    coords = [(float(x), float(y)) for x, y in raw["node_coord"]]
    scaled = tuple(tuple(dimacs_distance(a, b) for b in coords) for a in coords)
    windows = [(int(early) * SCALE, int(late) * SCALE) for early, late in raw["time_window"]]
    service = [round(float(s) * SCALE) for s in raw["service_time"]]
    visits = tuple(
        Visit(
            id=str(node),
            location=node,
            service_minutes=service[node],
            window=windows[node],
            demand=int(raw["demand"][node]),
        )
        for node in range(1, len(coords))
    )
    vehicles = tuple(
        Vehicle(
            id=f"v{number + 1}",
            start_location=0,
            end_location=0,
            shift=windows[0],
            capacity=int(raw["capacity"]),
        )
        for number in range(int(raw["vehicles"]))
    )
    matrix = TravelMatrix(durations=scaled, distances=scaled)
    return SolomonInstance(path.stem, RoutingProblem(visits, vehicles, matrix))


def dimacs_distance(a: tuple[float, float], b: tuple[float, float]) -> int:
    """Euclidean distance truncated to one decimal, times 10 (exact on integer coordinates)."""
    dx, dy = a[0] - b[0], a[1] - b[1]
    if dx.is_integer() and dy.is_integer():
        return math.isqrt(int(SCALE * SCALE * (dx * dx + dy * dy)))
    return math.floor(SCALE * math.hypot(dx, dy))
