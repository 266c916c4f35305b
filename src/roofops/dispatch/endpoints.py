"""JSON API of the production schedule: the board, plans and their difference, optimize and
re-plan runs, manual moves, locks, job requirements, events, holidays and time off."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from roofops.api_responses import errors
from roofops.auth.dependencies import requires
from roofops.auth.permissions import Permission
from roofops.auth.principal import Principal
from roofops.company.service import company_service
from roofops.db import DB
from roofops.dispatch.schemas import (
    BoardOut,
    DiffOut,
    EventIn,
    EventOut,
    HolidayIn,
    HolidayOut,
    LockIn,
    MoveIn,
    MoveOut,
    OptimizeIn,
    PlanDetailOut,
    PlanOut,
    ReplanIn,
    RequirementsOut,
    RequirementsUpdate,
    RunOut,
    TimeOffIn,
    TimeOffOut,
)
from roofops.dispatch.service import dispatch_service
from roofops.kit.schemas import IsoDate

router = APIRouter(prefix="/dispatch", tags=["dispatch"])
Reader = Annotated[Principal, Depends(requires(Permission.VIEW_CREWS))]
Planner = Annotated[Principal, Depends(requires(Permission.PLAN_DISPATCH))]
Days = Annotated[int, Query(ge=1, le=120, description="calendar days shown")]
From = Annotated[IsoDate | None, Query(description="first day; default today")]


@router.get("/board", summary="Crews by days: published plan, draft, queue, time off, weather")
def board(
    db: DB, _: Reader, start: From = None, days: Days = 14, branch_id: uuid.UUID | None = None
) -> BoardOut:
    first = start or company_service.today(db)
    return BoardOut.of(dispatch_service.board(db, first, days, branch_id))


@router.get("/plans", summary="Recent schedule plans, newest first")
def list_plans(db: DB, _: Reader, limit: Annotated[int, Query(ge=1, le=100)] = 20) -> list[PlanOut]:
    return [PlanOut.model_validate(plan) for plan in dispatch_service.plans(db, limit)]


@router.get("/plans/{plan_id}", summary="A plan with its entries", responses=errors(404))
def get_plan(db: DB, _: Reader, plan_id: uuid.UUID) -> PlanDetailOut:
    plan = dispatch_service.plan(db, plan_id)
    return PlanDetailOut.of(plan, dispatch_service.entries(db, plan_id))


@router.get(
    "/plans/{plan_id}/diff",
    summary="What the plan changes against the plan it is based on, and why",
    responses=errors(404),
)
def plan_diff(db: DB, _: Reader, plan_id: uuid.UUID) -> DiffOut:
    return DiffOut.of(dispatch_service.diff(db, plan_id))


@router.post(
    "/plans/{plan_id}/publish",
    summary="Publish a draft: crews work from it; the previous plan is superseded (audited)",
    responses=errors(404, 409),
)
def publish_plan(db: DB, principal: Planner, plan_id: uuid.UUID) -> PlanOut:
    return PlanOut.model_validate(dispatch_service.publish(db, principal, plan_id))


@router.post(
    "/plans/{plan_id}/discard", summary="Discard a draft (audited)", responses=errors(404, 409)
)
def discard_plan(db: DB, principal: Planner, plan_id: uuid.UUID) -> PlanOut:
    return PlanOut.model_validate(dispatch_service.discard(db, principal, plan_id))


@router.post(
    "/optimize",
    status_code=202,
    summary="Start the optimizer; progress comes as dispatch.progress events; ends in a draft",
)
def optimize(db: DB, principal: Planner, body: OptimizeIn) -> RunOut:
    run_id = dispatch_service.start_optimize(db, principal, body.start, body.days, body.time_limit)
    return RunOut(run_id=run_id)


@router.post(
    "/replan",
    status_code=202,
    summary="Re-plan after an event, changing as little as possible; ends in a draft",
    responses=errors(404, 409),
)
def replan(db: DB, principal: Planner, body: ReplanIn) -> RunOut:
    return RunOut(run_id=dispatch_service.start_replan(db, principal, body.event_id))


@router.post(
    "/moves",
    summary="Move a job's phase to a crew and day in the draft, if the plan check allows it",
    description="A refused move is not an error: `refused` is true and `reasons` say why.",
    responses=errors(404),
)
def move(db: DB, principal: Planner, body: MoveIn) -> MoveOut:
    outcome = dispatch_service.move(
        db, principal, body.job_id, body.phase, body.crew_id, body.start_on
    )
    return MoveOut(refused=outcome.refused, reasons=list(outcome.reasons), plan_id=outcome.plan_id)


@router.get(
    "/jobs/{job_id}/requirements",
    summary="What a job needs before and while it is worked",
    responses=errors(404),
)
def get_requirements(db: DB, _: Reader, job_id: uuid.UUID) -> RequirementsOut:
    return RequirementsOut.model_validate(dispatch_service.requirements(db, job_id))


@router.patch(
    "/jobs/{job_id}/requirements",
    summary="Edit materials, permit and promised dates, gutters, visit time and window (audited)",
    responses=errors(404),
)
def update_requirements(
    db: DB, principal: Planner, job_id: uuid.UUID, body: RequirementsUpdate
) -> RequirementsOut:
    requirements = dispatch_service.update_requirements(db, principal, job_id, body)
    return RequirementsOut.model_validate(requirements)


@router.put(
    "/jobs/{job_id}/lock",
    summary="Lock a job to a crew and/or start day: the optimizer keeps it",
    responses=errors(404),
)
def set_lock(db: DB, principal: Planner, job_id: uuid.UUID, body: LockIn) -> RequirementsOut:
    locked = dispatch_service.set_lock(db, principal, job_id, body.crew_id, body.start_on)
    return RequirementsOut.model_validate(locked)


@router.delete("/jobs/{job_id}/lock", summary="Clear a job's lock", responses=errors(404))
def clear_lock(db: DB, principal: Planner, job_id: uuid.UUID) -> RequirementsOut:
    return RequirementsOut.model_validate(dispatch_service.clear_lock(db, principal, job_id))


@router.get("/events", summary="Recent dispatch events, newest first")
def list_events(
    db: DB, _: Reader, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> list[EventOut]:
    return [EventOut.model_validate(event) for event in dispatch_service.events(db, limit)]


@router.post(
    "/events",
    status_code=201,
    summary="Record an event (crew out, overrun, late materials, weather, urgent job)",
    description="A crew out becomes time off; late materials move the job's materials date. "
    "Then POST /dispatch/replan with the event's id.",
)
def record_event(db: DB, principal: Planner, body: EventIn) -> EventOut:
    return EventOut.model_validate(dispatch_service.record_event(db, principal, body))


@router.get("/holidays", summary="Company holidays between two days")
def list_holidays(
    db: DB, _: Reader, start: From = None, days: Annotated[int, Query(ge=1, le=731)] = 365
) -> list[HolidayOut]:
    first = start or company_service.today(db)
    holidays = dispatch_service.holidays(db, first, first + timedelta(days=days - 1))
    return [HolidayOut.model_validate(holiday) for holiday in holidays]


@router.post("/holidays", status_code=201, summary="Add a company holiday", responses=errors(409))
def add_holiday(db: DB, principal: Planner, body: HolidayIn) -> HolidayOut:
    return HolidayOut.model_validate(dispatch_service.add_holiday(db, principal, body))


@router.get("/time-off", summary="Crews' time off overlapping the days")
def list_time_off(db: DB, _: Reader, start: From = None, days: Days = 60) -> list[TimeOffOut]:
    first: date = start or company_service.today(db)
    entries = dispatch_service.time_off(db, first, first + timedelta(days=days - 1))
    return [TimeOffOut.model_validate(entry) for entry in entries]


@router.post("/time-off", status_code=201, summary="Add a crew's time off")
def add_time_off(db: DB, principal: Planner, body: TimeOffIn) -> TimeOffOut:
    return TimeOffOut.model_validate(dispatch_service.add_time_off(db, principal, body))
