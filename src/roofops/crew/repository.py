"""Queries for branches, skills and crews."""

from __future__ import annotations

import uuid
from collections.abc import Collection

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from roofops.kit.paging import Page, PageRequest, SortSpec
from roofops.kit.repository import Repository
from roofops.kit.search import matches_any
from roofops.models.branch import Branch
from roofops.models.crew import Crew
from roofops.models.skill import Skill


class BranchRepository(Repository[Branch]):
    model = Branch

    def all(self, active: bool | None = None) -> list[Branch]:
        return list(self.session.scalars(self._filtered(active).order_by(Branch.name)))

    def search(self, active: bool | None, page: PageRequest, sort: SortSpec) -> Page[Branch]:
        return self.paginate(self._filtered(active), page, sort)

    def by_code(self, code: str) -> Branch | None:
        return self.session.scalar(sa.select(Branch).where(Branch.code == code))

    def _filtered(self, active: bool | None) -> sa.Select[Branch]:
        statement = sa.select(Branch)
        if active is not None:
            statement = statement.where(Branch.is_active.is_(active))
        return statement


class SkillRepository(Repository[Skill]):
    model = Skill

    def all(self) -> list[Skill]:
        return list(self.session.scalars(sa.select(Skill).order_by(Skill.code)))

    def search(self, q: str | None, page: PageRequest, sort: SortSpec) -> Page[Skill]:
        statement = sa.select(Skill)
        if q:
            statement = statement.where(matches_any(q, Skill.code, Skill.name))
        return self.paginate(statement, page, sort)

    def by_codes(self, codes: Collection[str]) -> list[Skill]:
        return list(self.session.scalars(sa.select(Skill).where(Skill.code.in_(codes))))


CREW_LOADS = (selectinload(Crew.branch), selectinload(Crew.skills), selectinload(Crew.members))


class CrewRepository(Repository[Crew]):
    model = Crew

    def in_name_order(self) -> list[Crew]:
        return list(self.session.scalars(sa.select(Crew).order_by(Crew.name, Crew.id)))

    def search(
        self,
        *,
        branch_id: uuid.UUID | None,
        skill: str | None,
        active: bool | None,
        page: PageRequest,
        sort: SortSpec,
    ) -> Page[Crew]:
        statement = sa.select(Crew).options(*CREW_LOADS)
        if branch_id is not None:
            statement = statement.where(Crew.branch_id == branch_id)
        if skill:
            statement = statement.where(Crew.skills.any(Skill.code == skill))
        if active is not None:
            statement = statement.where(Crew.is_active.is_(active))
        return self.paginate(statement, page, sort)

    def full(self, crew_id: uuid.UUID) -> Crew | None:
        return self.session.scalar(
            sa.select(Crew)
            .options(*CREW_LOADS)
            .where(Crew.id == crew_id)
            .execution_options(populate_existing=True)
        )

    def by_name(self, name: str) -> Crew | None:
        return self.session.scalar(sa.select(Crew).where(sa.func.lower(Crew.name) == name.lower()))
