"""Visits no vehicle could ever serve, found before any search, each with its reason."""

from __future__ import annotations

import dataclasses

from roofops.engines.plan_check.routes import clock
from roofops.engines.routing.model import RoutingProblem, Unassigned, Vehicle, Visit
from roofops.engines.routing.timeline import plan_route


def screen(problem: RoutingProblem) -> tuple[list[Visit], list[Unassigned]]:
    """Split the visits into those some vehicle can serve alone and those none can.

    A visit is unserviceable when no vehicle has every skill it needs (or room for its load),
    or when none of those can reach it inside its window, do the work, take its break and be
    back at its end location by the end of its shift.
    """
    routable: list[Visit] = []
    unassigned: list[Unassigned] = []
    # Identical crews (all but the id) answer alike: Solomon-style fleets have a hundred.
    distinct = list({dataclasses.replace(v, id="-"): v for v in problem.vehicles}.values())
    for visit in problem.visits:
        reason = _why_not(problem, distinct, visit)
        if reason is None:
            routable.append(visit)
        else:
            unassigned.append(reason)
    return routable, unassigned


def _why_not(problem: RoutingProblem, vehicles: list[Vehicle], visit: Visit) -> Unassigned | None:
    skilled = [v for v in vehicles if _can_carry(v, visit)]
    if not skilled:
        needs = ", ".join(sorted(visit.required_skills)) or "its load"
        return Unassigned(visit.id, "no_skilled_vehicle", f"Needs {needs}: no crew has all of it.")
    if any(plan_route(v, [visit], problem.matrix) for v in skilled):
        return None
    opens, closes = visit.window
    return Unassigned(
        visit.id,
        "outside_shifts",
        f"No crew with the skills can arrive between {clock(opens)} and {clock(closes)}, "
        f"do the {visit.service_minutes} minutes of work and be back before its shift ends.",
    )


def _can_carry(vehicle: Vehicle, visit: Visit) -> bool:
    fits = vehicle.capacity is None or visit.demand <= vehicle.capacity
    return fits and visit.required_skills <= vehicle.skills
