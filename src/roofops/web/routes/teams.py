"""The Teams pages: each team's jobs by owner with the handoffs to and from it, "my jobs",
crew loans between branches, and the ownership block of a job's page (team, owner, handoff
with its checklist, history), which the job page loads into itself."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from roofops.auth.dependencies import requires
from roofops.auth.permissions import Permission
from roofops.company.service import company_service
from roofops.crew.service import branch_service, crew_service
from roofops.db import DB, attempt
from roofops.exceptions import RoofOpsError, ValidationFailed
from roofops.models.team import TeamFunction
from roofops.team.checklists import CHECKLISTS
from roofops.team.lending import lending_service
from roofops.team.results import missing_items
from roofops.team.schemas import CrewLoanCreate, HandoffCreate, TeamCreate, TeamUpdate
from roofops.team.service import team_service
from roofops.web.context import PageContext
from roofops.web.dependencies import Page
from roofops.web.forms import FormText, readable
from roofops.web.rendering import is_fragment_request, render

router = APIRouter()
JobsReader = [Depends(requires(Permission.VIEW_JOBS))]
CrewsReader = [Depends(requires(Permission.VIEW_CREWS))]
HandingOff = [Depends(requires(Permission.HAND_OFF_JOBS))]
Dispatching = [Depends(requires(Permission.PLAN_DISPATCH))]
Managing = [Depends(requires(Permission.MANAGE_TEAMS))]


# ----- forms ---------------------------------------------------------------------------------
class HandoffForm(BaseModel):
    # "<team id>/<user id>": one picker of every (receiving team, member) pair.
    target: FormText = ""
    note: FormText = ""


class CancelForm(BaseModel):
    reason: FormText = ""


class TickForm(BaseModel):
    done: FormText = ""


class LoanForm(BaseModel):
    crew_id: FormText = ""
    to_branch_id: FormText = ""
    starts_on: FormText = ""
    ends_on: FormText = ""
    note: FormText = ""


class TeamEditForm(BaseModel):
    member_ids: list[FormText] = []
    is_active: FormText = ""


class TeamForm(BaseModel):
    name: FormText = ""
    function: FormText = ""
    branch_id: FormText = ""
    member_ids: list[FormText] = []


def _validated(model: type[BaseModel], values: dict[str, Any]) -> Any:
    """A form's values through the API's schema: one sentence for the person on a bad value."""
    try:
        return model.model_validate({key: value for key, value in values.items() if value != ""})
    except ValidationError as exc:
        raise readable(exc) from None


def _handoff_target(raw: str) -> tuple[uuid.UUID, uuid.UUID]:
    try:
        team_id, user_id = raw.split("/")
        return uuid.UUID(team_id), uuid.UUID(user_id)
    except ValueError:
        raise ValidationFailed(
            "choose the team and person to hand the job to", field="target"
        ) from None


# ----- /teams --------------------------------------------------------------------------------
@router.get("/teams", dependencies=JobsReader)
def teams_page(request: Request, db: DB, page: Page) -> Response:
    return render(request, "teams/index.html", _teams_context(db, page, request))


def _teams_context(
    db: Session, page: PageContext, request: Request, **extra: Any
) -> dict[str, Any]:
    branch_id = _branch_param(request)
    context: dict[str, Any] = {
        "branches": branch_service.list(db, active=True),
        "branch_id": branch_id,
        "boards": team_service.boards(db, branch_id),
        "my_jobs": team_service.my_jobs(db, page.principal),
        "functions": list(TeamFunction),
        "team_form": {"name": "", "function": "", "branch_id": "", "member_ids": [], "error": ""},
        "edit_error": (None, ""),
    }
    if page.can(Permission.MANAGE_TEAMS):
        context["users"] = team_service.users(db)
    return context | extra


def _branch_param(request: Request) -> uuid.UUID | None:
    raw = request.query_params.get("branch_id", "")
    try:
        return uuid.UUID(raw) if raw else None
    except ValueError:
        raise ValidationFailed("branch_id must be a branch's id", field="branch_id") from None


@router.post("/teams", dependencies=Managing)
def create_team(
    request: Request, db: DB, page: Page, form: Annotated[TeamForm, Form()]
) -> Response:
    try:
        with attempt(db):
            data = _validated(TeamCreate, form.model_dump())
            team_service.create(db, page.principal, data)
    except RoofOpsError as exc:
        entered = form.model_dump() | {"error": exc.message}
        context = _teams_context(db, page, request, team_form=entered)
        return render(request, "teams/index.html", context, status_code=exc.status_code)
    return RedirectResponse("/teams?created=1", status_code=303)


# ----- a job's ownership block ----------------------------------------------------------------
@router.get("/jobs/{job_id}/ownership", dependencies=JobsReader)
def ownership_block(request: Request, db: DB, page: Page, job_id: uuid.UUID) -> Response:
    return render(request, "jobs/_ownership.html", _ownership_context(db, page, job_id))


def _ownership_context(
    db: Session, page: PageContext, job_id: uuid.UUID, **extra: Any
) -> dict[str, Any]:
    ownership = team_service.ownership(db, job_id)
    open_handoff = ownership.open_handoff
    may_accept = open_handoff and team_service.may_accept(db, page.principal, open_handoff)
    return {
        "may_accept": may_accept,
        "job_id": job_id,
        "ownership": ownership,
        "missing": missing_items(open_handoff) if open_handoff else [],
        "targets": _targets(db, ownership.team.id if ownership.team else None),
        "handoff_form": {"target": "", "note": "", "error": ""},
        "error": "",
        "notice": "",
    } | extra


def _targets(db: Session, current_team_id: uuid.UUID | None) -> list[dict[str, Any]]:
    """Every receiving team with its members, for the handoff picker, the usual next team
    (the one a checklist leads to) first."""
    teams = [team for team in team_service.list(db, active=True) if team.members]
    current = next((team for team in teams if team.id == current_team_id), None)
    usual = {target for source, target in CHECKLISTS if current and source == current.function}
    teams.sort(key=lambda team: (team.function not in usual, team.function, team.name))
    return [
        {
            "team": team,
            "people": sorted(
                (member.user for member in team.members if member.user.is_active),
                key=lambda user: (user.full_name or user.email).casefold(),
            ),
        }
        for team in teams
    ]


def _after_action(
    request: Request, db: Session, page: PageContext, job_id: uuid.UUID, notice: str
) -> Response:
    if not is_fragment_request(request):
        return RedirectResponse(f"/jobs/{job_id}", status_code=303)
    context = _ownership_context(db, page, job_id, notice=notice)
    return render(request, "jobs/_ownership.html", context)


def _refused_block(
    request: Request,
    db: Session,
    page: PageContext,
    job_id: uuid.UUID,
    exc: RoofOpsError,
    **extra: Any,
) -> Response:
    context = _ownership_context(db, page, job_id, error=exc.message, **extra)
    return render(request, "jobs/_ownership.html", context, status_code=exc.status_code)


@router.post("/jobs/{job_id}/handoffs", dependencies=HandingOff)
def start_handoff(
    request: Request, db: DB, page: Page, job_id: uuid.UUID, form: Annotated[HandoffForm, Form()]
) -> Response:
    try:
        with attempt(db):
            team_id, user_id = _handoff_target(form.target)
            data = _validated(
                HandoffCreate, {"to_team_id": team_id, "to_owner_id": user_id, "note": form.note}
            )
            team_service.start_handoff(db, page.principal, job_id, data)
    except RoofOpsError as exc:
        entered = {"target": form.target, "note": form.note, "error": exc.message}
        return _refused_block(request, db, page, job_id, exc, handoff_form=entered)
    return _after_action(request, db, page, job_id, "Handoff started.")


@router.post("/jobs/{job_id}/handoffs/{handoff_id}/items/{code}", dependencies=HandingOff)
def tick_item(
    request: Request,
    db: DB,
    page: Page,
    *,
    job_id: uuid.UUID,
    handoff_id: uuid.UUID,
    code: str,
    form: Annotated[TickForm, Form()],
) -> Response:
    done = form.done == "1"
    try:
        with attempt(db):
            team_service.tick(db, page.principal, job_id, handoff_id, code, done=done)
    except RoofOpsError as exc:
        return _refused_block(request, db, page, job_id, exc)
    return _after_action(request, db, page, job_id, "")


@router.post("/jobs/{job_id}/handoffs/{handoff_id}/accept", dependencies=HandingOff)
def accept_handoff(
    request: Request, db: DB, page: Page, job_id: uuid.UUID, handoff_id: uuid.UUID
) -> Response:
    try:
        with attempt(db):
            handoff = team_service.accept(db, page.principal, job_id, handoff_id)
    except RoofOpsError as exc:
        return _refused_block(request, db, page, job_id, exc)
    notice = f"Accepted: {handoff.to_team.name} has the job."
    return _after_action(request, db, page, job_id, notice)


@router.post("/jobs/{job_id}/handoffs/{handoff_id}/cancel", dependencies=HandingOff)
def cancel_handoff(
    request: Request,
    db: DB,
    page: Page,
    *,
    job_id: uuid.UUID,
    handoff_id: uuid.UUID,
    form: Annotated[CancelForm, Form()],
) -> Response:
    try:
        with attempt(db):
            team_service.cancel(db, page.principal, job_id, handoff_id, form.reason)
    except RoofOpsError as exc:
        return _refused_block(request, db, page, job_id, exc)
    return _after_action(request, db, page, job_id, "Handoff cancelled.")


# ----- /teams/loans --------------------------------------------------------------------------
@router.get("/teams/loans", dependencies=CrewsReader)
def loans_page(request: Request, db: DB, page: Page) -> Response:
    return render(request, "teams/loans.html", _loans_context(db, page, request))


def _loans_context(
    db: Session, page: PageContext, request: Request, **extra: Any
) -> dict[str, Any]:
    today = company_service.today(db)
    branch_id = _branch_param(request)
    past = request.query_params.get("past") == "1"
    # Loans already over are history: "show past loans" brings them back.
    ending_from = None if past else today
    context: dict[str, Any] = {
        "today": today,
        "past": past,
        "branch_id": branch_id,
        "branches": branch_service.list(db, active=True),
        "loans": lending_service.loans(db, branch_id=branch_id, ending_from=ending_from),
        "loan_form": {
            "crew_id": "",
            "to_branch_id": "",
            "starts_on": "",
            "ends_on": "",
            "note": "",
        },
        "error": "",
    }
    if page.can(Permission.PLAN_DISPATCH):
        context["crews"] = [crew for crew in crew_service.pickable(db) if crew.is_active]
    return context | extra


@router.post("/teams/loans", dependencies=Dispatching)
def lend_crew(request: Request, db: DB, page: Page, form: Annotated[LoanForm, Form()]) -> Response:
    try:
        with attempt(db):
            lending_service.lend(db, page.principal, _validated(CrewLoanCreate, form.model_dump()))
    except RoofOpsError as exc:
        context = _loans_context(db, page, request, loan_form=form.model_dump(), error=exc.message)
        return render(request, "teams/loans.html", context, status_code=exc.status_code)
    return RedirectResponse("/teams/loans?lent=1", status_code=303)


@router.post("/teams/loans/{loan_id}/end", dependencies=Dispatching)
def end_loan(request: Request, db: DB, page: Page, loan_id: uuid.UUID) -> Response:
    try:
        with attempt(db):
            lending_service.end(db, page.principal, loan_id)
    except RoofOpsError as exc:
        context = _loans_context(db, page, request, error=exc.message)
        return render(request, "teams/loans.html", context, status_code=exc.status_code)
    return RedirectResponse("/teams/loans?ended=1", status_code=303)


# Declared after /teams/loans: the path would otherwise take "loans" for a team id.
@router.post("/teams/{team_id}", dependencies=Managing)
def edit_team(
    request: Request,
    db: DB,
    page: Page,
    team_id: uuid.UUID,
    form: Annotated[TeamEditForm, Form()],
) -> Response:
    """Members and active flag of a team, from its card."""
    try:
        with attempt(db):
            changes = {"member_ids": form.member_ids, "is_active": form.is_active == "1"}
            team_service.update(db, page.principal, team_id, _validated(TeamUpdate, changes))
    except RoofOpsError as exc:
        context = _teams_context(db, page, request, edit_error=(team_id, exc.message))
        return render(request, "teams/index.html", context, status_code=exc.status_code)
    return RedirectResponse(f"/teams?saved=1#team-{team_id}", status_code=303)
