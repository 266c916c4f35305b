"""The times of a route whose order is known: each stop as early as possible, and the break.

PyVRP has no breaks, so the solver reserves the break's minutes inside the shift and this module
places it afterwards: it tries the break at every point of the route (at the start location, or
after any stop, where the crew then is) and keeps the placement that ends the day earliest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from roofops.engines.routing.model import Route, Stop, TravelMatrix, Vehicle, Visit


@dataclass(frozen=True)
class _Leg:
    stops: tuple[Stop, ...]
    end: int
    break_start: int | None


def plan_route(vehicle: Vehicle, visits: Sequence[Visit], matrix: TravelMatrix) -> Route | None:
    """The earliest timing of ``visits`` in this order for ``vehicle``, its break placed.

    Parameters
    ----------
    vehicle
        The crew; its shift bounds the day and its break (if any) must fit.
    visits
        The visits in driving order (not empty).
    matrix
        Travel minutes and metres.

    Returns
    -------
    Route or None
        None when no timing keeps every window, the shift end and the break.
    """
    placements: Sequence[int | None] = [None] if vehicle.break_ is None else range(len(visits) + 1)
    legs = [
        (leg, after)
        for after in placements
        if (leg := _timeline(vehicle, visits, matrix, after)) is not None
    ]
    if not legs:
        return None
    leg, after = min(legs, key=lambda pair: pair[0].end)
    return _route(vehicle, visits, matrix, leg, after)


def _timeline(
    vehicle: Vehicle, visits: Sequence[Visit], matrix: TravelMatrix, break_after: int | None
) -> _Leg | None:
    ready, place, stops = vehicle.shift[0], vehicle.start_location, []
    break_start = None
    for done in range(len(visits) + 1):
        if done == break_after:
            break_start, ready = _take_break(vehicle, ready)
            if break_start is None:
                return None
        if done == len(visits):
            break
        visit = visits[done]
        arrival = ready + matrix.minutes(place, visit.location)
        if arrival > visit.window[1]:
            return None
        start = max(arrival, visit.window[0])
        stops.append(Stop(visit.id, arrival, start, start + visit.service_minutes))
        ready, place = start + visit.service_minutes, visit.location
    end = ready + matrix.minutes(place, vehicle.end_location)
    return _Leg(tuple(stops), end, break_start) if end <= vehicle.shift[1] else None


def _take_break(vehicle: Vehicle, ready: int) -> tuple[int | None, int]:
    assert vehicle.break_ is not None
    start = max(ready, vehicle.break_.earliest_start)
    if start > vehicle.break_.latest_start:
        return None, ready
    return start, start + vehicle.break_.minutes


def _route(
    vehicle: Vehicle,
    visits: Sequence[Visit],
    matrix: TravelMatrix,
    leg: _Leg,
    break_after: int | None,
) -> Route:
    """The route, leaving the start no earlier than needed to reach the first stop on time
    (the crew does not wait at the first door when it can leave later)."""
    first = leg.stops[0]
    day_start = vehicle.shift[0]
    if break_after != 0:
        day_start += first.start - first.arrival
        leg = _Leg(
            (Stop(first.visit_id, first.start, first.start, first.departure), *leg.stops[1:]),
            leg.end,
            leg.break_start,
        )
    places = [vehicle.start_location, *(v.location for v in visits), vehicle.end_location]
    return Route(
        vehicle_id=vehicle.id,
        start_location=vehicle.start_location,
        end_location=vehicle.end_location,
        stops=leg.stops,
        start=day_start,
        end=leg.end,
        distance=matrix.path_metres(places),
        duration=leg.end - day_start,
        break_start=leg.break_start,
        break_after=break_after,
    )
