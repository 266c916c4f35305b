"""JSON API of the field side of dispatch: day routes and urgent visits, crews' calendar feeds
and acknowledgements."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from roofops.api_responses import errors
from roofops.auth.dependencies import requires
from roofops.auth.permissions import Permission
from roofops.auth.principal import Principal
from roofops.db import DB
from roofops.dispatch.acknowledgements import PlanAcknowledgements, acknowledgements
from roofops.dispatch.calendar import crew_calendars
from roofops.dispatch.changes import Placement, WorkChange
from roofops.dispatch.day_routes import DayRoutes, day_routes
from roofops.dispatch.field_schemas import (
    AcknowledgementOut,
    AcknowledgeRequest,
    CalendarLinkOut,
    CrewAcknowledgementOut,
    PlacementOut,
    PlanAcknowledgementsOut,
    RoutesPlanOut,
    RoutesRequest,
    RouteStopOut,
    UrgentVisitOut,
    UrgentVisitRequest,
    VisitChangeOut,
)
from roofops.exceptions import NotFound
from roofops.kit.schemas import IsoDate

router = APIRouter(prefix="/dispatch", tags=["dispatch"])
Reader = Annotated[Principal, Depends(requires(Permission.VIEW_CREWS))]
Planner = Annotated[Principal, Depends(requires(Permission.PLAN_DISPATCH))]
Acknowledger = Annotated[Principal, Depends(requires(Permission.ACKNOWLEDGE_SCHEDULE))]
CALENDAR_PATH = "/dispatch/crews/{crew_id}/calendar.ics"


@router.post(
    "/routes",
    status_code=201,
    summary="Optimize a day's routes (repairs and inspections) into a checked draft",
    responses=errors(409),
)
def optimize_routes(db: DB, principal: Planner, body: RoutesRequest) -> RoutesPlanOut:
    return _routes_out(day_routes.optimize(db, principal, body.date, seconds=body.seconds))


@router.get(
    "/routes",
    summary="A day's routes: the draft if there is one, else the published routes",
    responses=errors(404),
)
def get_routes(
    db: DB,
    _: Reader,
    on: Annotated[IsoDate, Query(alias="date")],
    crew_id: Annotated[uuid.UUID | None, Query(description="only this crew's stops")] = None,
) -> RoutesPlanOut:
    routes = day_routes.current(db, on)
    if routes is None:
        raise NotFound(f"no routes for {on.isoformat()}")
    return _routes_out(routes, crew_id)


@router.post(
    "/routes/urgent",
    status_code=201,
    summary="Insert an urgent visit (a leak) into a day's routes, as a checked draft",
    responses=errors(404, 409),
)
def insert_urgent_visit(db: DB, principal: Planner, body: UrgentVisitRequest) -> UrgentVisitOut:
    outcome = day_routes.insert_urgent(db, principal, body.job_id, body.date)
    return UrgentVisitOut(
        job_id=outcome.job_id,
        crew_id=outcome.crew_id,
        seconds=round(outcome.seconds, 3),
        changes=[_change_out(change) for change in outcome.changes],
        plan=_routes_out(outcome.routes),
    )


@router.post(
    "/routes/{plan_id}/publish",
    summary="Publish a routes draft (crews and customers whose visits changed are notified)",
    responses=errors(404, 409),
)
def publish_routes(db: DB, principal: Planner, plan_id: uuid.UUID) -> RoutesPlanOut:
    plan = day_routes.publish(db, principal, plan_id)
    return _routes_out(DayRoutes(plan, day_routes.stops(db, plan.id)))


@router.post(
    "/routes/{plan_id}/discard", summary="Discard a routes draft", responses=errors(404, 409)
)
def discard_routes(db: DB, principal: Planner, plan_id: uuid.UUID) -> RoutesPlanOut:
    plan = day_routes.discard(db, principal, plan_id)
    return _routes_out(DayRoutes(plan, day_routes.stops(db, plan.id)))


@router.post(
    "/crews/{crew_id}/calendar-token",
    status_code=201,
    summary="Issue a crew's calendar link (shown once; the previous link stops working)",
    responses=errors(404),
)
def issue_calendar_token(
    db: DB, principal: Planner, request: Request, crew_id: uuid.UUID
) -> CalendarLinkOut:
    issued = crew_calendars.issue_token(db, principal, crew_id)
    url = request.url_for("crew_calendar", crew_id=str(crew_id)).include_query_params(
        token=issued.token
    )
    return CalendarLinkOut(crew_id=crew_id, token=issued.token, url=str(url))


@router.get(
    "/crews/{crew_id}/calendar.ics",
    name="crew_calendar",
    summary="A crew's published schedule and routes as an iCalendar feed (token in the URL)",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}, **errors(401)},
)
def crew_calendar(
    db: DB, crew_id: uuid.UUID, token: Annotated[str | None, Query(max_length=200)] = None
) -> Response:
    return Response(
        crew_calendars.feed(db, crew_id, token),
        media_type="text/calendar; charset=utf-8",
        headers={"Cache-Control": "private, max-age=300"},
    )


@router.get(
    "/plans/{plan_id}/acknowledgements",
    summary="Which crews the plan changed, and which of them have acknowledged",
    responses=errors(404),
)
def plan_acknowledgements(db: DB, _: Reader, plan_id: uuid.UUID) -> PlanAcknowledgementsOut:
    return _acknowledgements_out(acknowledgements.of_plan(db, plan_id))


@router.post(
    "/plans/{plan_id}/acknowledgements",
    status_code=201,
    summary="Acknowledge a published plan for a crew (a crew lead: only for their own crew)",
    responses=errors(404, 409),
)
def acknowledge_plan(
    db: DB, principal: Acknowledger, plan_id: uuid.UUID, body: AcknowledgeRequest
) -> AcknowledgementOut:
    acknowledgement = acknowledgements.acknowledge(db, principal, plan_id, body.crew_id)
    return AcknowledgementOut.model_validate(acknowledgement)


def _routes_out(routes: DayRoutes, crew_id: uuid.UUID | None = None) -> RoutesPlanOut:
    plan = routes.plan
    assert plan.route_date is not None  # a routes plan has its day
    stops = [stop for stop in routes.stops if crew_id is None or stop.crew_id == crew_id]
    return RoutesPlanOut(
        id=plan.id,
        status=plan.status.value,
        route_date=plan.route_date,
        trigger=plan.trigger,
        solver=plan.solver,
        note=plan.note,
        objective=plan.objective,
        solve_seconds=plan.solve_seconds,
        breakdown=plan.breakdown,
        based_on_id=plan.based_on_id,
        stops=[RouteStopOut.model_validate(stop) for stop in stops],
    )


def _placement_out(placement: Placement | None) -> PlacementOut | None:
    if placement is None:
        return None
    return PlacementOut(
        crew_id=placement.crew_id,
        starts_on=placement.starts_on,
        start_minute=placement.start_minute,
    )


def _change_out(change: WorkChange) -> VisitChangeOut:
    return VisitChangeOut(
        job_id=change.job_id,
        before=_placement_out(change.before),
        after=_placement_out(change.after),
    )


def _acknowledgements_out(plan: PlanAcknowledgements) -> PlanAcknowledgementsOut:
    return PlanAcknowledgementsOut(
        plan_id=plan.plan_id,
        status=plan.status.value,
        crews=[
            CrewAcknowledgementOut(
                crew_id=crew.crew_id,
                crew_name=crew.crew_name,
                acknowledged=crew.acknowledged_at is not None,
                acknowledged_at=crew.acknowledged_at,
                user_id=crew.user_id,
            )
            for crew in plan.crews
        ],
        pending=len(plan.pending),
    )
