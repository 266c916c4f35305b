"""JSON shapes for teams, handoffs and crew loans."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field

from roofops.kit.schemas import Flag, IsoDate, OrmModel, PatchModel, text
from roofops.models.team import HandoffStatus, JobHandoff, Team, TeamFunction
from roofops.team.results import missing_items

TeamName = Annotated[str, text(1, 120)]
Note = Annotated[str, text(0, 2000)]
MemberIds = Annotated[list[uuid.UUID], Field(max_length=200, description="users in the team")]


class TeamCreate(BaseModel):
    name: TeamName
    function: TeamFunction
    branch_id: uuid.UUID | None = Field(
        default=None, description="the branch the team works for; null: every branch"
    )
    member_ids: MemberIds = []
    is_active: Flag = True


class TeamUpdate(PatchModel):
    nullable = frozenset({"branch_id"})

    name: TeamName | None = None
    function: TeamFunction | None = None
    branch_id: uuid.UUID | None = None
    member_ids: MemberIds | None = None
    is_active: Flag | None = None


class UserRef(OrmModel):
    id: uuid.UUID
    full_name: str
    email: str


class TeamOut(BaseModel):
    id: uuid.UUID
    name: str
    function: TeamFunction
    branch_id: uuid.UUID | None
    is_active: bool
    members: list[UserRef]

    @classmethod
    def of(cls, team: Team) -> TeamOut:
        return cls(
            id=team.id,
            name=team.name,
            function=team.function,
            branch_id=team.branch_id,
            is_active=team.is_active,
            members=[UserRef.model_validate(member.user) for member in team.members],
        )


class HandoffCreate(BaseModel):
    to_team_id: uuid.UUID
    to_owner_id: uuid.UUID = Field(description="the person in the receiving team who owns it")
    note: Note = ""


class HandoffItemUpdate(BaseModel):
    done: Flag


class HandoffCancel(BaseModel):
    reason: Note = ""


class HandoffItemOut(OrmModel):
    code: str
    label: str
    required: bool
    done_at: datetime | None
    done_by_label: str


class HandoffOut(BaseModel):
    id: uuid.UUID
    job_id: uuid.UUID
    status: HandoffStatus
    from_team_id: uuid.UUID | None
    to_team_id: uuid.UUID
    from_owner_id: uuid.UUID | None
    to_owner_id: uuid.UUID
    note: str
    started_at: datetime
    started_by_label: str
    closed_at: datetime | None
    closed_by_label: str
    cancel_reason: str
    items: list[HandoffItemOut]
    missing: list[str] = Field(description="codes of required items not ticked yet")

    @classmethod
    def of(cls, handoff: JobHandoff) -> HandoffOut:
        fields = {name: getattr(handoff, name) for name in cls.model_fields if name != "missing"}
        fields["items"] = [HandoffItemOut.model_validate(item) for item in handoff.items]
        return cls(**fields, missing=[item.code for item in missing_items(handoff)])


class CrewLoanCreate(BaseModel):
    crew_id: uuid.UUID
    to_branch_id: uuid.UUID
    starts_on: IsoDate
    ends_on: IsoDate = Field(description="last day of the loan (included)")
    note: Note = ""


class CrewLoanOut(OrmModel):
    id: uuid.UUID
    crew_id: uuid.UUID
    to_branch_id: uuid.UUID
    starts_on: date
    ends_on: date
    note: str
    created_at: datetime
    created_by_id: uuid.UUID | None
