"""Routing types: one day's visits, vehicles (crews) and travel, and the plan that serves them.

Times are integer minutes from midnight, durations integer minutes, distances integer metres
(any integer unit works as long as the matrix, prizes and fixed costs use the same one: the
Solomon bench uses tenths of a unit). Locations are indices into the travel matrix. Every type
is frozen and validated when built, so a solver never sees a window that closes before it opens.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import pairwise
from typing import Literal

UnassignedCode = Literal[
    "no_skilled_vehicle",  # no single vehicle has every skill the visit needs
    "outside_shifts",  # no skilled vehicle can reach it inside its window and get home in shift
    "not_worth_it",  # optional, and its prize does not pay for the detour
    "no_room",  # the skilled vehicles' days are full (or the solver found no feasible place)
]


class RoutingInputError(ValueError):
    """A routing input that cannot describe a real day (the dispatch domain turns it into a 422)."""


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise RoutingInputError(message)


def _window(window: tuple[int, int], what: str) -> None:
    earliest, latest = window
    _require(0 <= earliest <= latest, f"{what}: window {window} must open before it closes")


@dataclass(frozen=True)
class Visit:
    """A stop to make: arrive inside ``window``, then spend ``service_minutes`` on site.

    ``prize`` (in distance units) is what leaving an optional visit out costs; a required
    visit is left out only when no vehicle can serve it. ``demand`` is a load (Solomon's
    capacity; zero for crews, whose limit is time).
    """

    id: str
    location: int
    service_minutes: int
    window: tuple[int, int]
    required_skills: frozenset[str] = frozenset()
    required: bool = True
    prize: int = 0
    demand: int = 0

    def __post_init__(self) -> None:
        _require(bool(self.id), "a visit needs an id")
        _require(self.location >= 0, f"visit {self.id}: location must be >= 0")
        _require(self.service_minutes >= 0, f"visit {self.id}: service minutes must be >= 0")
        _require(self.prize >= 0 and self.demand >= 0, f"visit {self.id}: negative prize/demand")
        _window(self.window, f"visit {self.id}")


@dataclass(frozen=True)
class Break:
    """A break of ``minutes`` taken wholly between ``earliest_start`` and ``latest_end``."""

    earliest_start: int
    latest_end: int
    minutes: int

    def __post_init__(self) -> None:
        _require(self.minutes > 0, "a break lasts at least one minute")
        _require(
            0 <= self.earliest_start <= self.latest_end - self.minutes,
            f"break of {self.minutes} min does not fit {self.earliest_start}-{self.latest_end}",
        )

    @property
    def latest_start(self) -> int:
        return self.latest_end - self.minutes


@dataclass(frozen=True)
class Vehicle:
    """A crew for the day: leaves ``start_location`` no earlier than the shift start and is
    back at ``end_location`` (home or a branch) by the shift end."""

    id: str
    start_location: int
    end_location: int
    shift: tuple[int, int]
    skills: frozenset[str] = frozenset()
    break_: Break | None = None
    fixed_cost: int = 0
    capacity: int | None = None  # None: no load limit

    def __post_init__(self) -> None:
        _require(bool(self.id), "a vehicle needs an id")
        _require(min(self.start_location, self.end_location) >= 0, f"{self.id}: bad location")
        _require(self.fixed_cost >= 0, f"vehicle {self.id}: fixed cost must be >= 0")
        _require(self.capacity is None or self.capacity >= 0, f"{self.id}: capacity < 0")
        _window(self.shift, f"vehicle {self.id} shift")
        if self.break_ is not None:
            start, end = self.shift
            _require(
                start <= self.break_.earliest_start and self.break_.latest_end <= end,
                f"vehicle {self.id}: the break must lie inside the shift",
            )


@dataclass(frozen=True)
class TravelMatrix:
    """Travel between locations 0..n-1: ``durations`` in minutes, ``distances`` in metres."""

    durations: tuple[tuple[int, ...], ...]
    distances: tuple[tuple[int, ...], ...]

    def __post_init__(self) -> None:
        size = len(self.durations)
        for name, rows in (("durations", self.durations), ("distances", self.distances)):
            _require(len(rows) == size, f"{name} has {len(rows)} rows, expected {size}")
            for row in rows:
                _require(len(row) == size, f"{name} must be square ({size} x {size})")
                _require(min(row, default=0) >= 0, f"{name} must not be negative")

    @property
    def size(self) -> int:
        return len(self.durations)

    def minutes(self, origin: int, destination: int) -> int:
        return self.durations[origin][destination]

    def metres(self, origin: int, destination: int) -> int:
        return self.distances[origin][destination]

    def path_metres(self, places: Sequence[int]) -> int:
        """The length of the drive through ``places`` in order."""
        return sum(self.distances[a][b] for a, b in pairwise(places))


@dataclass(frozen=True)
class RoutingProblem:
    """One day to route: the visits, the vehicles that may serve them and the travel matrix."""

    visits: tuple[Visit, ...]
    vehicles: tuple[Vehicle, ...]
    matrix: TravelMatrix

    def __post_init__(self) -> None:
        _require(bool(self.vehicles), "a routing problem needs at least one vehicle")
        _unique([visit.id for visit in self.visits], "visit")
        _unique([vehicle.id for vehicle in self.vehicles], "vehicle")
        locations = [visit.location for visit in self.visits] + [
            place for v in self.vehicles for place in (v.start_location, v.end_location)
        ]
        _require(max(locations) < self.matrix.size, "a location is outside the travel matrix")

    @cached_property
    def visits_by_id(self) -> dict[str, Visit]:
        return {visit.id: visit for visit in self.visits}

    @cached_property
    def vehicles_by_id(self) -> dict[str, Vehicle]:
        return {vehicle.id: vehicle for vehicle in self.vehicles}


def _unique(ids: list[str], what: str) -> None:
    _require(len(set(ids)) == len(ids), f"{what} ids must be unique")


@dataclass(frozen=True)
class Stop:
    """A visit on a route: ``arrival`` on site, ``start`` of service (after any wait) and
    ``departure`` (start + service)."""

    visit_id: str
    arrival: int
    start: int
    departure: int


@dataclass(frozen=True)
class Route:
    """One vehicle's day: on duty at ``start_location`` from ``start``, at ``end_location`` at
    ``end``. The break (when the vehicle has one) starts at ``break_start`` after the first
    ``break_after`` stops (0: before the first drive), where the crew then is."""

    vehicle_id: str
    start_location: int
    end_location: int
    stops: tuple[Stop, ...]
    start: int
    end: int
    distance: int
    duration: int
    break_start: int | None = None
    break_after: int | None = None

    @property
    def visit_ids(self) -> tuple[str, ...]:
        return tuple(stop.visit_id for stop in self.stops)


@dataclass(frozen=True)
class Unassigned:
    """A visit no route serves, and why (``code`` for programs, ``reason`` for people)."""

    visit_id: str
    code: UnassignedCode
    reason: str


@dataclass(frozen=True)
class RoutingResult:
    """A day's plan. ``objective`` = fixed costs of the vehicles used + distance + prizes of
    the optional visits left out; ``feasible`` is true when every route keeps every rule and
    every required visit is routed."""

    routes: tuple[Route, ...]
    unassigned: tuple[Unassigned, ...]
    objective: int
    distance: int
    duration: int
    seconds: float
    solver: str
    feasible: bool
    notes: tuple[str, ...] = field(default=())

    def route_of(self, vehicle_id: str) -> Route | None:
        return next((r for r in self.routes if r.vehicle_id == vehicle_id), None)
