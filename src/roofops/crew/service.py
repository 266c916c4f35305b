"""Branches, skills and crews: the people and places production is planned around."""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from roofops.audit.service import Changes, apply_changes, audit_service, change
from roofops.auth.principal import Principal
from roofops.crew.repository import BranchRepository, CrewRepository, SkillRepository
from roofops.crew.schemas import (
    BranchCreate,
    BranchUpdate,
    CrewCreate,
    CrewMemberIn,
    CrewUpdate,
    SkillCreate,
)
from roofops.exceptions import Conflict, ValidationFailed
from roofops.kit.paging import Page, PageRequest, parse_sort
from roofops.kit.repository import found
from roofops.models.branch import Branch
from roofops.models.crew import Crew, CrewMember
from roofops.models.skill import Skill

BRANCH_SORTS = ("code", "name", "created_at")
SKILL_SORTS = ("code", "name")
CREW_SORTS = ("name", "capacity_squares_per_day", "created_at", "updated_at")


class BranchService:
    def list(self, db: Session, *, active: bool | None = None) -> builtins.list[Branch]:
        """Every branch by name, for pickers and filters."""
        return BranchRepository(db).all(active)

    def search(self, db: Session, active: bool | None, page: PageRequest) -> Page[Branch]:
        sort = parse_sort(page.sort, BRANCH_SORTS, "code")
        return BranchRepository(db).search(active, page, sort)

    def get(self, db: Session, branch_id: uuid.UUID) -> Branch:
        return found(BranchRepository(db).get(branch_id), "branch")

    def create(self, db: Session, principal: Principal, data: BranchCreate) -> Branch:
        self._ensure_code_free(db, data.code)
        branch = BranchRepository(db).add(Branch(**data.model_dump()))
        audit_service.created(db, principal, "branch", branch.id)
        return branch

    def update(
        self, db: Session, principal: Principal, branch_id: uuid.UUID, data: BranchUpdate
    ) -> Branch:
        branch = self.get(db, branch_id)
        values = data.changes()
        if values.get("code", branch.code) != branch.code:
            self._ensure_code_free(db, values["code"])
        audit_service.updated(db, principal, "branch", branch.id, apply_changes(branch, values))
        db.flush()
        return branch

    def _ensure_code_free(self, db: Session, code: str) -> None:
        if BranchRepository(db).by_code(code) is not None:
            raise Conflict(f"a branch with code {code} already exists", field="code")


class SkillService:
    def list(self, db: Session) -> builtins.list[Skill]:
        return SkillRepository(db).all()

    def search(self, db: Session, q: str | None, page: PageRequest) -> Page[Skill]:
        sort = parse_sort(page.sort, SKILL_SORTS, "code")
        return SkillRepository(db).search(q, page, sort)

    def create(self, db: Session, principal: Principal, data: SkillCreate) -> Skill:
        skills = SkillRepository(db)
        if skills.by_codes([data.code]):
            raise Conflict(f"a skill with code {data.code} already exists", field="code")
        skill = skills.add(Skill(code=data.code, name=data.name))
        audit_service.created(db, principal, "skill", skill.id)
        return skill

    def by_codes(self, db: Session, codes: Sequence[str]) -> builtins.list[Skill]:
        """The skills named by ``codes``; 422 naming any code that does not exist."""
        wanted = list(dict.fromkeys(codes))
        found = {skill.code: skill for skill in SkillRepository(db).by_codes(wanted)}
        missing = [code for code in wanted if code not in found]
        if missing:
            raise ValidationFailed(f"unknown skill code(s): {', '.join(missing)}", field="skills")
        return [found[code] for code in wanted]


@dataclass(frozen=True)
class CrewFilters:
    branch_id: uuid.UUID | None = None
    skill: str | None = None
    active: bool | None = None


class CrewService:
    def pickable(self, db: Session) -> builtins.list[Crew]:
        """Every crew by name, for pickers and filters (no branch, skills or members loaded)."""
        return CrewRepository(db).in_name_order()

    def list(self, db: Session, filters: CrewFilters, page: PageRequest) -> Page[Crew]:
        """Crews with branch, skills and members loaded."""
        sort = parse_sort(page.sort, CREW_SORTS, "name")
        return CrewRepository(db).search(
            branch_id=filters.branch_id,
            skill=filters.skill,
            active=filters.active,
            page=page,
            sort=sort,
        )

    def get(self, db: Session, crew_id: uuid.UUID) -> Crew:
        return found(CrewRepository(db).full(crew_id), "crew")

    def create(self, db: Session, principal: Principal, data: CrewCreate) -> Crew:
        self._ensure_name_free(db, data.name)
        require_branch(db, data.branch_id)
        crew = Crew(**data.model_dump(exclude={"skills", "members"}))
        crew.skills = skill_service.by_codes(db, data.skills)
        crew.members = _members(data.members)
        CrewRepository(db).add(crew)
        audit_service.created(db, principal, "crew", crew.id)
        return self.get(db, crew.id)

    def update(
        self, db: Session, principal: Principal, crew_id: uuid.UUID, data: CrewUpdate
    ) -> Crew:
        crew = self.get(db, crew_id)
        values = data.changes()
        if values.get("name", crew.name).lower() != crew.name.lower():
            self._ensure_name_free(db, values["name"])
        if "branch_id" in values:
            require_branch(db, values["branch_id"])
        changes = self._replace_lists(db, crew, values.pop("skills", None), data.members)
        values.pop("members", None)
        changes.update(apply_changes(crew, values))
        audit_service.updated(db, principal, "crew", crew.id, changes)
        db.flush()
        return self.get(db, crew_id)

    def _replace_lists(
        self,
        db: Session,
        crew: Crew,
        skill_codes: builtins.list[str] | None,
        members: builtins.list[CrewMemberIn] | None,
    ) -> Changes:
        changes: Changes = {}
        if skill_codes is not None:
            old = [skill.code for skill in crew.skills]
            crew.skills = skill_service.by_codes(db, skill_codes)
            changes["skills"] = change(old, [skill.code for skill in crew.skills])
        if members is not None:
            old = [_label(member) for member in crew.members]
            crew.members = _members(members)
            changes["members"] = change(old, [_label(member) for member in crew.members])
        return {field: diff for field, diff in changes.items() if diff["old"] != diff["new"]}

    def _ensure_name_free(self, db: Session, name: str) -> None:
        if CrewRepository(db).by_name(name) is not None:
            raise Conflict(f"a crew named '{name}' already exists", field="name")


def _members(members: list[CrewMemberIn]) -> list[CrewMember]:
    return [CrewMember(name=member.name, role=member.role) for member in members]


def _label(member: CrewMember) -> str:
    return f"{member.name} ({member.role})"


def require_branch(db: Session, branch_id: uuid.UUID) -> None:
    """For references in request bodies: a missing branch is a 422 naming ``branch_id``."""
    if BranchRepository(db).get(branch_id) is None:
        raise ValidationFailed("no branch with this id", field="branch_id")


def require_crew(db: Session, crew_id: uuid.UUID) -> None:
    if CrewRepository(db).get(crew_id) is None:
        raise ValidationFailed("no crew with this id", field="crew_id")


branch_service = BranchService()
skill_service = SkillService()
crew_service = CrewService()
