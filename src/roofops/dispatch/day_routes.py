"""Daily routes: optimize a day, insert an urgent visit, publish or discard the draft.

Every plan is checked by ``engines.plan_check.routes`` before it is stored: a solver's answer
that breaks a rule is refused with the checker's sentences, never saved. A new draft for a day
replaces the day's older draft (discarded): the dispatcher looks at one draft per day.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy.orm import Session

from roofops.audit.service import audit_service
from roofops.auth.principal import Principal
from roofops.dispatch.changes import WorkChange, compare
from roofops.dispatch.day_problem import ROUTE_SKILLS, DayProblem, load_day
from roofops.dispatch.field_repository import FieldRepository
from roofops.dispatch.local_time import company_now
from roofops.dispatch.notifications import notify_plan_published
from roofops.engines.routing.model import (
    Route,
    RoutingProblem,
    RoutingResult,
    Unassigned,
)
from roofops.exceptions import Conflict, ValidationFailed
from roofops.kit.time import utcnow
from roofops.models.dispatch import (
    DispatchEvent,
    DispatchEventKind,
    DispatchPlan,
    PlanKind,
    PlanStatus,
    RouteStop,
    StopKind,
)
from roofops.models.job import Job

ROUTE_SECONDS = 5.0  # the solver's limit for a whole day (an urgent insertion takes far less)
SEED = 11
# When no position fits, the engine searches from the current plan for this long: with loading,
# checking and storing the day, the dispatcher's answer stays under a second.
URGENT_SEARCH_SECONDS = 0.3


@dataclass(frozen=True)
class DayRoutes:
    plan: DispatchPlan
    stops: list[RouteStop]


@dataclass(frozen=True)
class UrgentOutcome:
    routes: DayRoutes
    job_id: uuid.UUID
    crew_id: uuid.UUID | None  # None: no crew could take it (the stop row says why)
    changes: list[WorkChange]  # every visit that moved to make room, the urgent one included
    seconds: float


class DayRouteService:
    def optimize(
        self,
        db: Session,
        principal: Principal,
        on: date,
        *,
        seconds: float = ROUTE_SECONDS,
    ) -> DayRoutes:
        """Solve the day's routes and store them, checked, as the day's draft."""
        from roofops.engines.routing.solver import solve

        repository = FieldRepository(db)
        day = load_day(repository, on)
        result = solve(day.problem, time_limit=seconds, seed=SEED) if day.problem else None
        return _store(db, principal, repository, day, result, trigger="optimize routes")

    def insert_urgent(
        self, db: Session, principal: Principal, job_id: uuid.UUID, on: date
    ) -> UrgentOutcome:
        """Fit an urgent visit into the day's routes (the draft, else the published plan) with
        the engine's fast insertion; stored, checked, as the new draft."""
        from roofops.engines.routing.urgent import insert_urgent

        started = time.perf_counter()
        repository = FieldRepository(db)
        base = _base_plan(repository, on)
        day = load_day(repository, on, urgent=job_id, not_before=_not_before(db, on))
        if day.problem is None or str(job_id) not in day.problem.visits_by_id:
            reason = day.left_out.get(job_id, "it cannot be visited that day")
            raise Conflict(f"the urgent visit cannot be routed: {reason}", field="job_id")
        visit = day.problem.visits_by_id[str(job_id)]
        others = replace(day.problem, visits=tuple(v for v in day.problem.visits if v != visit))
        current = routes_of(others, repository.stops(base.id))
        result = insert_urgent(others, current, visit, time_limit=URGENT_SEARCH_SECONDS, seed=SEED)
        number = day.jobs[str(job_id)].number
        stored = _store(
            db, principal, repository, day, result, trigger=f"urgent visit: {number}", base=base
        )
        _record_event(repository, principal, job_id, stored.plan)
        changes = compare(repository.placements(base), repository.placements(stored.plan))
        crew_id = next((s.crew_id for s in stored.stops if s.job_id == job_id), None)
        return UrgentOutcome(stored, job_id, crew_id, changes, time.perf_counter() - started)

    def current(self, db: Session, on: date) -> DayRoutes | None:
        """The day's draft if there is one, else its published routes."""
        repository = FieldRepository(db)
        plan = repository.routes_plan(on, PlanStatus.DRAFT) or repository.routes_plan(
            on, PlanStatus.PUBLISHED
        )
        return None if plan is None else DayRoutes(plan, repository.stops(plan.id))

    def stops(self, db: Session, plan_id: uuid.UUID) -> list[RouteStop]:
        return FieldRepository(db).stops(plan_id)

    def publish(self, db: Session, principal: Principal, plan_id: uuid.UUID) -> DispatchPlan:
        """The draft becomes the day's routes; the day's previous ones are superseded, and the
        crews and customers whose visits changed are notified (once)."""
        repository = FieldRepository(db)
        plan = _draft_routes(repository, plan_id)
        assert plan.route_date is not None  # a routes plan has its day
        previous = repository.routes_plan(plan.route_date, PlanStatus.PUBLISHED)
        if previous is not None:
            previous.status = PlanStatus.SUPERSEDED
            plan.based_on_id = previous.id
        plan.status, plan.published_at = PlanStatus.PUBLISHED, utcnow()
        plan.published_by_id = principal.user_id
        _audit(db, principal, plan, "dispatch_plan.published")
        db.flush()
        notify_plan_published(db, plan.id)
        return plan

    def discard(self, db: Session, principal: Principal, plan_id: uuid.UUID) -> DispatchPlan:
        plan = _draft_routes(FieldRepository(db), plan_id)
        plan.status = PlanStatus.DISCARDED
        _audit(db, principal, plan, "dispatch_plan.discarded")
        db.flush()
        return plan


def routes_of(problem: RoutingProblem, stops: Sequence[RouteStop]) -> RoutingResult:
    """A stored plan as the engine's result over today's problem: each crew's visits in their
    stored order, timed afresh (jobs no longer visitable, and crews no longer out, drop out)."""
    from roofops.engines.routing.solver import build_result
    from roofops.engines.routing.timeline import plan_route

    routes: list[Route] = []
    for vehicle in problem.vehicles:
        order = [
            problem.visits_by_id[str(stop.job_id)]
            for stop in stops
            if str(stop.crew_id) == vehicle.id and str(stop.job_id) in problem.visits_by_id
        ]
        route = plan_route(vehicle, order, problem.matrix) if order else None
        if route is not None:
            routes.append(route)
    routed = {visit_id for route in routes for visit_id in route.visit_ids}
    reasons = {str(stop.job_id): stop.reason for stop in stops if stop.crew_id is None}
    unassigned = [
        Unassigned(visit.id, "no_room", reasons.get(visit.id) or "not on the day's routes")
        for visit in problem.visits
        if visit.id not in routed
    ]
    return build_result(problem, routes, unassigned, 0.0, "stored plan")


def _base_plan(repository: FieldRepository, on: date) -> DispatchPlan:
    plan = repository.routes_plan(on, PlanStatus.DRAFT) or repository.routes_plan(
        on, PlanStatus.PUBLISHED
    )
    if plan is None:
        raise Conflict(
            f"there are no routes for {on.isoformat()} yet: optimize the day first", field="date"
        )
    return plan


def _draft_routes(repository: FieldRepository, plan_id: uuid.UUID) -> DispatchPlan:
    plan = repository.plan(plan_id, lock=True)
    if plan.kind != PlanKind.ROUTES:
        raise ValidationFailed("this is not a routes plan", field="plan_id")
    if plan.status != PlanStatus.DRAFT:
        raise Conflict(f"this plan is {plan.status.value}, not a draft", field="plan_id")
    return plan


def _not_before(db: Session, on: date) -> int | None:
    """Now, in minutes after midnight, when ``on`` is today where the company works."""
    now = company_now(db)
    return now.hour * 60 + now.minute if now.date() == on else None


def _store(
    db: Session,
    principal: Principal,
    repository: FieldRepository,
    day: DayProblem,
    result: RoutingResult | None,
    *,
    trigger: str,
    base: DispatchPlan | None = None,
) -> DayRoutes:
    _refuse_unchecked(day, result)
    _discard_drafts(repository, day.on)
    published = repository.routes_plan(day.on, PlanStatus.PUBLISHED)
    plan = DispatchPlan(
        kind=PlanKind.ROUTES,
        status=PlanStatus.DRAFT,
        horizon_start=day.on,
        horizon_end=day.on,
        route_date=day.on,
        trigger=trigger,
        solver=result.solver if result else "",
        note=_note(day, result),
        objective=float(result.objective) if result else None,
        solve_seconds=result.seconds if result else None,
        breakdown=_breakdown(day, result),
        based_on_id=published.id if published else (base.based_on_id if base else None),
        created_by_id=principal.user_id,
    )
    repository.add(plan)
    stops = list(_stop_rows(plan.id, day, result))
    repository.add(*stops)
    _audit(db, principal, plan, "dispatch_plan.created")
    return DayRoutes(plan, stops)


def _discard_drafts(repository: FieldRepository, on: date) -> None:
    while (draft := repository.routes_plan(on, PlanStatus.DRAFT)) is not None:
        draft.status = PlanStatus.DISCARDED
        repository.session.flush()


def _note(day: DayProblem, result: RoutingResult | None) -> str:
    if result is None:
        return "no crew can go out on routes that day"
    return "; ".join(note for note in (day.note, *result.notes) if note)


def _refuse_unchecked(day: DayProblem, result: RoutingResult | None) -> None:
    from roofops.engines.plan_check.routes import check_routes

    if day.problem is None or result is None:
        return
    left_out = [item.visit_id for item in result.unassigned]
    violations = check_routes(day.problem, result.routes, left_out)
    if violations:
        sentences = " ".join(violation.message for violation in violations[:5])
        raise Conflict(f"the routes failed the plan check and were not saved: {sentences}")


def _breakdown(day: DayProblem, result: RoutingResult | None) -> dict[str, object]:
    visits = len(day.problem.visits) if day.problem else 0
    return {
        "visits": visits,
        "routed": visits - len(result.unassigned) if result else 0,
        "unassigned": (len(result.unassigned) if result else 0) + len(day.left_out),
        "crews_out": len(result.routes) if result else 0,
        "distance_m": result.distance if result else 0,
        "duration_min": result.duration if result else 0,
    }


def _stop_rows(
    plan_id: uuid.UUID, day: DayProblem, result: RoutingResult | None
) -> Iterable[RouteStop]:
    if day.problem is not None and result is not None:
        for route in result.routes:
            yield from _route_rows(plan_id, day, day.problem, route)
        for item in result.unassigned:
            job = day.jobs[item.visit_id]
            yield _unassigned(plan_id, day.on, job.id, _why_not(job, item))
    for job_id, reason in day.left_out.items():
        yield _unassigned(plan_id, day.on, job_id, reason)


def _route_rows(
    plan_id: uuid.UUID, day: DayProblem, problem: RoutingProblem, route: Route
) -> Iterable[RouteStop]:
    vehicle = problem.vehicles_by_id[route.vehicle_id]
    crew_id = day.crews[route.vehicle_id].id
    place, sequence = vehicle.start_location, 0
    for done, stop in enumerate([*route.stops, None]):
        if route.break_after == done and route.break_start is not None and vehicle.break_:
            end = route.break_start + vehicle.break_.minutes
            yield RouteStop(
                plan_id=plan_id,
                crew_id=crew_id,
                route_date=day.on,
                sequence=sequence,
                kind=StopKind.BREAK,
                arrival_minute=route.break_start,
                start_minute=route.break_start,
                departure_minute=end,
            )
            sequence += 1
        if stop is None:
            break
        visit = problem.visits_by_id[stop.visit_id]
        yield RouteStop(
            plan_id=plan_id,
            crew_id=crew_id,
            route_date=day.on,
            sequence=sequence,
            job_id=day.jobs[stop.visit_id].id,
            kind=StopKind.VISIT,
            arrival_minute=stop.arrival,
            start_minute=stop.start,
            departure_minute=stop.departure,
            travel_minutes=problem.matrix.minutes(place, visit.location),
        )
        place, sequence = visit.location, sequence + 1


def _why_not(job: Job, item: Unassigned) -> str:
    """The engine's reason in the dispatcher's words: its skill list carries the branch
    pseudo-skill (see day_problem), which means nothing to a person."""
    if item.code != "no_skilled_vehicle":
        return item.reason
    where = " in the job's branch" if job.branch_id else ""
    return f"no crew{where} free that day holds the {ROUTE_SKILLS[job.job_type]} skill"


def _unassigned(plan_id: uuid.UUID, on: date, job_id: uuid.UUID, reason: str) -> RouteStop:
    return RouteStop(
        plan_id=plan_id, crew_id=None, route_date=on, job_id=job_id, reason=reason, sequence=0
    )


def _record_event(
    repository: FieldRepository, principal: Principal, job_id: uuid.UUID, plan: DispatchPlan
) -> None:
    """The board's event list shows the urgent visit beside crews out and overruns."""
    repository.add(
        DispatchEvent(
            kind=DispatchEventKind.URGENT_JOB,
            job_id=job_id,
            starts_on=plan.route_date,
            ends_on=plan.route_date,
            note=plan.trigger,
            plan_id=plan.id,
            created_by_id=principal.user_id,
        )
    )


def _audit(db: Session, principal: Principal, plan: DispatchPlan, action: str) -> None:
    audit_service.record(
        db,
        principal,
        action=action,
        entity_type="dispatch_plan",
        entity_id=plan.id,
        reason=f"routes for {plan.route_date}: {plan.trigger}",
    )


day_routes = DayRouteService()
