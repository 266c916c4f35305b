"""JSON API for teams, job handoffs and crew loans."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from roofops.api_responses import errors
from roofops.auth.dependencies import requires
from roofops.auth.permissions import Permission
from roofops.auth.principal import Principal
from roofops.db import DB
from roofops.kit.schemas import IsoDate
from roofops.team.lending import lending_service
from roofops.team.schemas import (
    CrewLoanCreate,
    CrewLoanOut,
    HandoffCancel,
    HandoffCreate,
    HandoffItemUpdate,
    HandoffOut,
    TeamCreate,
    TeamOut,
    TeamUpdate,
)
from roofops.team.service import team_service

router = APIRouter(tags=["teams"])
JobReader = Annotated[Principal, Depends(requires(Permission.VIEW_JOBS))]
CrewReader = Annotated[Principal, Depends(requires(Permission.VIEW_CREWS))]
TeamManager = Annotated[Principal, Depends(requires(Permission.MANAGE_TEAMS))]
HandingOff = Annotated[Principal, Depends(requires(Permission.HAND_OFF_JOBS))]
Dispatcher = Annotated[Principal, Depends(requires(Permission.PLAN_DISPATCH))]
BranchFilter = Annotated[uuid.UUID | None, Query(description="only teams of this branch")]


@router.get("/teams", summary="Teams with their members")
def list_teams(db: DB, _: JobReader, branch_id: BranchFilter = None) -> list[TeamOut]:
    return [TeamOut.of(team) for team in team_service.list(db, branch_id=branch_id)]


@router.post("/teams", status_code=201, summary="Create a team", responses=errors(409))
def create_team(db: DB, principal: TeamManager, body: TeamCreate) -> TeamOut:
    return TeamOut.of(team_service.create(db, principal, body))


@router.get("/teams/{team_id}", summary="A team with its members", responses=errors(404))
def get_team(db: DB, _: JobReader, team_id: uuid.UUID) -> TeamOut:
    return TeamOut.of(team_service.get(db, team_id))


@router.patch(
    "/teams/{team_id}",
    summary="Edit a team (audited)",
    description="`member_ids`, when given, replaces the member list.",
    responses=errors(404, 409),
)
def update_team(db: DB, principal: TeamManager, team_id: uuid.UUID, body: TeamUpdate) -> TeamOut:
    return TeamOut.of(team_service.update(db, principal, team_id, body))


@router.get(
    "/jobs/{job_id}/handoffs", summary="A job's handoffs, newest first", responses=errors(404)
)
def list_handoffs(db: DB, _: JobReader, job_id: uuid.UUID) -> list[HandoffOut]:
    return [HandoffOut.of(handoff) for handoff in team_service.handoffs(db, job_id)]


@router.post(
    "/jobs/{job_id}/handoffs",
    status_code=201,
    summary="Start handing a job to another team and owner",
    description="Opens the handoff with the transition's checklist (docs/teams.md); 409 while "
    "another handoff of the job is open.",
    responses=errors(404, 409),
)
def start_handoff(
    db: DB, principal: HandingOff, job_id: uuid.UUID, body: HandoffCreate
) -> HandoffOut:
    return HandoffOut.of(team_service.start_handoff(db, principal, job_id, body))


@router.put(
    "/jobs/{job_id}/handoffs/{handoff_id}/items/{code}",
    summary="Tick or untick a checklist item",
    responses=errors(404, 409),
)
def tick_item(
    db: DB,
    principal: HandingOff,
    *,
    job_id: uuid.UUID,
    handoff_id: uuid.UUID,
    code: str,
    body: HandoffItemUpdate,
) -> HandoffOut:
    handoff = team_service.tick(db, principal, job_id, handoff_id, code, done=body.done)
    return HandoffOut.of(handoff)


@router.post(
    "/jobs/{job_id}/handoffs/{handoff_id}/accept",
    summary="Accept a handoff: the job's team and owner change",
    description="By the new owner, a member of the receiving team or an admin; 409 with "
    "`details.missing` while required checklist items are not ticked.",
    responses=errors(404, 409),
)
def accept_handoff(
    db: DB, principal: HandingOff, job_id: uuid.UUID, handoff_id: uuid.UUID
) -> HandoffOut:
    return HandoffOut.of(team_service.accept(db, principal, job_id, handoff_id))


@router.post(
    "/jobs/{job_id}/handoffs/{handoff_id}/cancel",
    summary="Cancel an open handoff",
    responses=errors(404, 409),
)
def cancel_handoff(
    db: DB,
    principal: HandingOff,
    job_id: uuid.UUID,
    handoff_id: uuid.UUID,
    body: HandoffCancel | None = None,
) -> HandoffOut:
    reason = body.reason if body else ""
    return HandoffOut.of(team_service.cancel(db, principal, job_id, handoff_id, reason))


@router.get("/crew-loans", summary="Crew loans by start date")
def list_loans(
    db: DB,
    _: CrewReader,
    branch_id: Annotated[
        uuid.UUID | None, Query(description="loans from or to this branch")
    ] = None,
    crew_id: uuid.UUID | None = None,
    ending_from: Annotated[
        IsoDate | None, Query(description="leave out loans over before this day")
    ] = None,
) -> list[CrewLoanOut]:
    loans = lending_service.loans(db, branch_id=branch_id, crew_id=crew_id, ending_from=ending_from)
    return [CrewLoanOut.model_validate(loan) for loan in loans]


@router.post(
    "/crew-loans",
    status_code=201,
    summary="Lend a crew to another branch for a date range",
    description="422 for a bad range or the crew's own branch; 409 when the crew is already "
    "lent on one of those days.",
    responses=errors(409),
)
def lend_crew(db: DB, principal: Dispatcher, body: CrewLoanCreate) -> CrewLoanOut:
    return CrewLoanOut.model_validate(lending_service.lend(db, principal, body))


@router.delete(
    "/crew-loans/{loan_id}",
    status_code=204,
    summary="Call a loan off",
    description="A loan not started yet is deleted; one under way ends yesterday; 409 for a "
    "loan already over.",
    responses=errors(404, 409),
)
def end_loan(db: DB, principal: Dispatcher, loan_id: uuid.UUID) -> Response:
    lending_service.end(db, principal, loan_id)
    return Response(status_code=204)
