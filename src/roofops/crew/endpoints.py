"""JSON API for branches, skills and crews."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from roofops.api_paging import page_out, sorted_paging
from roofops.api_responses import errors
from roofops.auth.dependencies import requires
from roofops.auth.permissions import Permission
from roofops.auth.principal import Principal
from roofops.crew.schemas import (
    BranchCreate,
    BranchOut,
    BranchUpdate,
    CrewCreate,
    CrewOut,
    CrewUpdate,
    SkillCreate,
    SkillOut,
)
from roofops.crew.service import (
    BRANCH_SORTS,
    CREW_SORTS,
    SKILL_SORTS,
    CrewFilters,
    branch_service,
    crew_service,
    skill_service,
)
from roofops.db import DB
from roofops.kit.paging import PageOut, PageRequest

router = APIRouter(tags=["crews"])
Reader = Annotated[Principal, Depends(requires(Permission.VIEW_CREWS))]
Editor = Annotated[Principal, Depends(requires(Permission.EDIT_CREWS))]
BranchPaging = Annotated[PageRequest, Depends(sorted_paging(BRANCH_SORTS))]
SkillPaging = Annotated[PageRequest, Depends(sorted_paging(SKILL_SORTS))]
CrewPaging = Annotated[PageRequest, Depends(sorted_paging(CREW_SORTS))]
Active = Annotated[bool | None, Query(description="only active (true) or inactive (false) rows")]


def _sorts(fields: tuple[str, ...]) -> str:
    return f"Sortable by: {', '.join(fields)}."


@router.get("/branches", summary="List branches", description=_sorts(BRANCH_SORTS))
def list_branches(
    db: DB, _: Reader, paging: BranchPaging, active: Active = None
) -> PageOut[BranchOut]:
    return page_out(branch_service.search(db, active, paging), BranchOut)


@router.post("/branches", status_code=201, summary="Create a branch", responses=errors(409))
def create_branch(db: DB, principal: Editor, body: BranchCreate) -> BranchOut:
    return BranchOut.model_validate(branch_service.create(db, principal, body))


@router.patch(
    "/branches/{branch_id}", summary="Edit a branch (audited)", responses=errors(404, 409)
)
def update_branch(db: DB, principal: Editor, branch_id: uuid.UUID, body: BranchUpdate) -> BranchOut:
    return BranchOut.model_validate(branch_service.update(db, principal, branch_id, body))


@router.get("/skills", summary="List skills", description=_sorts(SKILL_SORTS))
def list_skills(
    db: DB,
    _: Reader,
    paging: SkillPaging,
    q: Annotated[str | None, Query(max_length=100, description="searches code and name")] = None,
) -> PageOut[SkillOut]:
    return page_out(skill_service.search(db, q, paging), SkillOut)


@router.post("/skills", status_code=201, summary="Create a skill", responses=errors(409))
def create_skill(db: DB, principal: Editor, body: SkillCreate) -> SkillOut:
    return SkillOut.model_validate(skill_service.create(db, principal, body))


def crew_filters(
    branch_id: uuid.UUID | None = None,
    skill: Annotated[str | None, Query(description="crews holding this skill code")] = None,
    active: Active = None,
) -> CrewFilters:
    return CrewFilters(branch_id=branch_id, skill=skill, active=active)


@router.get("/crews", summary="List crews", description=_sorts(CREW_SORTS))
def list_crews(
    db: DB, _: Reader, paging: CrewPaging, filters: Annotated[CrewFilters, Depends(crew_filters)]
) -> PageOut[CrewOut]:
    return page_out(crew_service.list(db, filters, paging), CrewOut)


@router.post("/crews", status_code=201, summary="Create a crew", responses=errors(404, 409))
def create_crew(db: DB, principal: Editor, body: CrewCreate) -> CrewOut:
    return CrewOut.model_validate(crew_service.create(db, principal, body))


@router.get("/crews/{crew_id}", summary="A crew with skills and members", responses=errors(404))
def get_crew(db: DB, _: Reader, crew_id: uuid.UUID) -> CrewOut:
    return CrewOut.model_validate(crew_service.get(db, crew_id))


@router.patch(
    "/crews/{crew_id}",
    summary="Edit a crew (audited)",
    description="`skills` and `members`, when given, replace the current lists.",
    responses=errors(404, 409),
)
def update_crew(db: DB, principal: Editor, crew_id: uuid.UUID, body: CrewUpdate) -> CrewOut:
    return CrewOut.model_validate(crew_service.update(db, principal, crew_id, body))
