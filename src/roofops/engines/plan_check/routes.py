"""Check a day's routes against the problem, whoever made them (a solver or a dispatcher).

Nothing here trusts the plan's own figures or imports a solver: every drive is re-read from the
travel matrix and every stated time is tested against it, so a stop cannot be reached faster
than the matrix allows, served outside its window, or by a crew without the skill.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from roofops.engines.routing.model import Route, RoutingProblem, Stop, Vehicle, Visit


@dataclass(frozen=True)
class RouteViolation:
    """One broken rule: ``code`` for programs, ``message`` a sentence for the dispatcher."""

    code: str
    message: str
    vehicle_id: str | None = None
    visit_id: str | None = None


def check_routes(
    problem: RoutingProblem, routes: Iterable[Route], unassigned: Iterable[str] = ()
) -> list[RouteViolation]:
    """Every rule ``routes`` break; an empty list means the plan may be saved.

    Parameters
    ----------
    problem
        The day: visits, vehicles and travel matrix.
    routes
        At most one route per vehicle, with stated times.
    unassigned
        Ids of the visits the plan leaves out on purpose (with a reason shown elsewhere); any
        other visit missing from every route is a violation.

    Returns
    -------
    list of RouteViolation
        Windows, shift start and end, break, skills, capacity, travel times, distances, start
        and end locations, visits served twice or missing, unknown ids.
    """
    routes = list(routes)
    violations = _coverage(problem, routes, set(unassigned))
    for route in routes:
        vehicle = problem.vehicles_by_id.get(route.vehicle_id)
        if vehicle is None:
            violations.append(RouteViolation("unknown_vehicle", f"No crew {route.vehicle_id}."))
            continue
        violations.extend(_route_violations(problem, vehicle, route))
    return violations


def _coverage(
    problem: RoutingProblem, routes: list[Route], unassigned: set[str]
) -> list[RouteViolation]:
    served = Counter(visit_id for route in routes for visit_id in route.visit_ids)
    crews = Counter(route.vehicle_id for route in routes)
    found = [
        RouteViolation("vehicle_twice", f"Crew {v} has {n} routes.", vehicle_id=v)
        for v, n in crews.items()
        if n > 1
    ]
    found += [
        RouteViolation("visit_twice", f"Visit {v} is served {n} times.", visit_id=v)
        for v, n in served.items()
        if n > 1
    ]
    found += [
        RouteViolation("visit_missing", f"Visit {v.id} is neither routed nor left out.", None, v.id)
        for v in problem.visits
        if v.id not in served and v.id not in unassigned
    ]
    found += [
        RouteViolation("visit_both", f"Visit {v} is routed and also left out.", visit_id=v)
        for v in unassigned & served.keys()
    ]
    return found


def _route_violations(
    problem: RoutingProblem, vehicle: Vehicle, route: Route
) -> list[RouteViolation]:
    unknown = [v for v in route.visit_ids if v not in problem.visits_by_id]
    if unknown:
        return [RouteViolation("unknown_visit", f"No visit {v}.", vehicle.id, v) for v in unknown]
    visits = [problem.visits_by_id[v] for v in route.visit_ids]
    return [
        *_places(vehicle, route),
        *_skills_and_load(vehicle, visits),
        *_times(problem, vehicle, route, visits),
        *_break(vehicle, route),
        *_figures(problem, route, visits),
    ]


def _places(vehicle: Vehicle, route: Route) -> Iterator[RouteViolation]:
    if route.start_location != vehicle.start_location:
        yield RouteViolation(
            "start_location",
            f"{vehicle.id} must start at location {vehicle.start_location}.",
            vehicle.id,
        )
    if route.end_location != vehicle.end_location:
        yield RouteViolation(
            "end_location",
            f"{vehicle.id} must end at location {vehicle.end_location}.",
            vehicle.id,
        )


def _skills_and_load(vehicle: Vehicle, visits: list[Visit]) -> Iterator[RouteViolation]:
    for visit in visits:
        missing = visit.required_skills - vehicle.skills
        if missing:
            yield RouteViolation(
                "skill",
                f"{vehicle.id} lacks {', '.join(sorted(missing))} needed at {visit.id}.",
                vehicle.id,
                visit.id,
            )
    load = sum(visit.demand for visit in visits)
    if vehicle.capacity is not None and load > vehicle.capacity:
        yield RouteViolation(
            "capacity",
            f"{vehicle.id} carries {load}, more than its {vehicle.capacity}.",
            vehicle.id,
        )


def _times(
    problem: RoutingProblem, vehicle: Vehicle, route: Route, visits: list[Visit]
) -> Iterator[RouteViolation]:
    """Walk the route: each stated time must be reachable from the one before it."""
    if route.start < vehicle.shift[0]:
        yield RouteViolation(
            "shift_start",
            f"{vehicle.id} starts at {clock(route.start)}, "
            f"before its shift at {clock(vehicle.shift[0])}.",
            vehicle.id,
        )
    ready, place = route.start, route.start_location
    for done in range(len(visits) + 1):
        if done == route.break_after and route.break_start is not None and vehicle.break_:
            if route.break_start < ready:
                yield RouteViolation(
                    "break_overlap",
                    f"{vehicle.id}'s break at {clock(route.break_start)} "
                    "overlaps its work or driving.",
                    vehicle.id,
                )
            ready = max(ready, route.break_start + vehicle.break_.minutes)
        if done == len(visits):
            break
        stop, visit = route.stops[done], visits[done]
        reachable = ready + problem.matrix.minutes(place, visit.location)
        yield from _stop(vehicle, stop, visit, reachable)
        ready, place = stop.departure, visit.location
    yield from _day_end(vehicle, route, ready + problem.matrix.minutes(place, route.end_location))


def _stop(vehicle: Vehicle, stop: Stop, visit: Visit, reachable: int) -> Iterator[RouteViolation]:
    earliest, latest = visit.window
    if stop.arrival < reachable:
        yield RouteViolation(
            "travel",
            f"{vehicle.id} cannot reach {visit.id} before {clock(reachable)} "
            f"(plan says {clock(stop.arrival)}).",
            vehicle.id,
            visit.id,
        )
    if stop.arrival > latest:
        yield RouteViolation(
            "late",
            f"{vehicle.id} arrives at {visit.id} at {clock(stop.arrival)}, after its "
            f"window closes at {clock(latest)}.",
            vehicle.id,
            visit.id,
        )
    if stop.start < max(stop.arrival, earliest):
        yield RouteViolation(
            "early",
            f"{vehicle.id} starts {visit.id} at {clock(stop.start)}, before it arrives "
            f"or before the window opens at {clock(earliest)}.",
            vehicle.id,
            visit.id,
        )
    if stop.departure < stop.start + visit.service_minutes:
        yield RouteViolation(
            "service",
            f"{vehicle.id} leaves {visit.id} before its {visit.service_minutes} "
            "minutes of work are done.",
            vehicle.id,
            visit.id,
        )


def _day_end(vehicle: Vehicle, route: Route, reachable: int) -> Iterator[RouteViolation]:
    if route.end < reachable:
        yield RouteViolation(
            "travel",
            f"{vehicle.id} cannot be back before {clock(reachable)} "
            f"(plan says {clock(route.end)}).",
            vehicle.id,
        )
    if max(route.end, reachable) > vehicle.shift[1]:
        yield RouteViolation(
            "shift_end",
            f"{vehicle.id} is back at {clock(max(route.end, reachable))}, after "
            f"its shift ends at {clock(vehicle.shift[1])}.",
            vehicle.id,
        )


def _break(vehicle: Vehicle, route: Route) -> Iterator[RouteViolation]:
    rest = vehicle.break_
    if rest is None or not route.stops:
        return
    placed = route.break_start is not None and route.break_after in range(len(route.stops) + 1)
    if not placed:
        yield RouteViolation("break_missing", f"{vehicle.id} has no break placed.", vehicle.id)
    elif not rest.earliest_start <= (route.break_start or 0) <= rest.latest_start:
        yield RouteViolation(
            "break_window",
            f"{vehicle.id}'s {rest.minutes}-minute break at "
            f"{clock(route.break_start or 0)} is outside {clock(rest.earliest_start)}-"
            f"{clock(rest.latest_end)}.",
            vehicle.id,
        )


def _figures(
    problem: RoutingProblem, route: Route, visits: list[Visit]
) -> Iterator[RouteViolation]:
    places = [route.start_location, *(v.location for v in visits), route.end_location]
    distance = problem.matrix.path_metres(places)
    if route.distance != distance or route.duration != route.end - route.start:
        yield RouteViolation(
            "figures",
            f"{route.vehicle_id}'s route states {route.distance} m and "
            f"{route.duration} min; the matrix gives {distance} m and "
            f"{route.end - route.start} min.",
            route.vehicle_id,
        )


def clock(minutes: int) -> str:
    """Minutes from midnight as HH:MM (past midnight keeps counting: 25:30)."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
