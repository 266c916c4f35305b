"""Seeded service days for benchmarks: repair and inspection visits around a metro area.

A day looks like a roofing contractor's service side: visits spread over a 25 km radius,
about a third with a customer's two-to-four-hour window, 30 to 90 minutes on site, one in five
needing a metal-roof crew; crews leave from one of three branches at 7:00, are back by 17:00 and
take 30 minutes of lunch between 11:30 and 13:30. Locations after the day's visits are left
free for urgent visits (leaks) to be inserted later.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from roofops.engines.routing.model import Break, RoutingProblem, Vehicle, Visit
from roofops.engines.routing.travel import Point, StraightLineTravel

CENTRE: Point = (39.74, -104.99)
BRANCHES: tuple[Point, ...] = ((39.74, -104.99), (39.88, -105.05), (39.60, -104.85))
RADIUS_KM = 25.0
HOUR = 60
SHIFT = (7 * HOUR, 17 * HOUR)
LUNCH = Break(11 * HOUR + 30, 13 * HOUR + 30, 30)
CREW_FIXED_COST = 20_000  # metres: a crew is sent out only when it saves about 20 km


@dataclass(frozen=True)
class ServiceDay:
    """The day to route and the free locations kept for urgent visits."""

    problem: RoutingProblem
    urgent_locations: tuple[int, ...]


def service_day(visits: int, crews: int, urgent: int, seed: int) -> ServiceDay:
    """A seeded day of ``visits`` visits and ``crews`` crews with ``urgent`` spare sites.

    Parameters
    ----------
    visits, crews, urgent
        Visits to route, crews available, free sites for urgent visits.
    seed
        The random seed: the same seed gives the same day.

    Returns
    -------
    ServiceDay
        The problem (straight-line travel times) and the urgent visits' locations.
    """
    rng = random.Random(seed)  # noqa: S311 (benchmark data, not secrets)
    sites = [_site(rng) for _ in range(visits + urgent)]
    points = [*BRANCHES, *sites]
    first = len(BRANCHES)
    day = tuple(_visit(rng, f"v{n}", first + n) for n in range(visits))
    fleet = tuple(_crew(n) for n in range(crews))
    matrix = StraightLineTravel().matrix(points)
    spare = tuple(range(first + visits, first + visits + urgent))
    return ServiceDay(RoutingProblem(day, fleet, matrix), spare)


def urgent_visit(location: int, arrival_by: int) -> Visit:
    """A leak: one hour on site, within three hours from ``arrival_by - 3 h``."""
    return Visit(
        id=f"urgent-{location}",
        location=location,
        service_minutes=60,
        window=(arrival_by - 3 * HOUR, arrival_by),
    )


def _site(rng: random.Random) -> Point:
    distance, bearing = RADIUS_KM * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi)
    north_km, east_km = distance * math.cos(bearing), distance * math.sin(bearing)
    latitude = CENTRE[0] + north_km / 111.0
    longitude = CENTRE[1] + east_km / (111.0 * math.cos(math.radians(CENTRE[0])))
    return (latitude, longitude)


def _visit(rng: random.Random, visit_id: str, location: int) -> Visit:
    window = (8 * HOUR, 16 * HOUR)
    if rng.random() < 0.35:
        opens = rng.choice((8, 10, 12)) * HOUR
        window = (opens, opens + rng.choice((2, 4)) * HOUR)
    skills = frozenset({"metal"}) if rng.random() < 0.2 else frozenset()
    return Visit(visit_id, location, rng.choice((30, 45, 60, 90)), window, skills)


def _crew(number: int) -> Vehicle:
    home = number % len(BRANCHES)
    skills = frozenset({"metal"}) if number % 2 == 0 else frozenset()
    return Vehicle(
        id=f"crew-{number + 1:02d}",
        start_location=home,
        end_location=home,
        shift=SHIFT,
        skills=skills,
        break_=LUNCH,
        fixed_cost=CREW_FIXED_COST,
    )
