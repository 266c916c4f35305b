"""JSON shapes for branches, skills and crews."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from roofops.kit.schemas import (
    Flag,
    Latitude,
    Longitude,
    OrmModel,
    PatchModel,
    WholeNumber,
    text,
)

Name = Annotated[str, text(1, 120)]
OptionalName = Annotated[str, text(0, 120)]
BranchCode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Za-z0-9_-]{1,16}$"),
    Field(description="short code, letters, digits, - and _"),
]
SkillCode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True, pattern=r"^[A-Za-z0-9_]{1,32}$"),
    Field(description="lower-case code such as 'metal' or 'low_slope'"),
]
Capacity = Annotated[WholeNumber, Field(ge=1, le=1000, description="roofing squares per day")]
Color = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]


class BranchCreate(BaseModel):
    code: BranchCode
    name: Name
    address: Annotated[str, text(0, 300)] = ""
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    is_active: Flag = True


class BranchUpdate(PatchModel):
    nullable = frozenset({"latitude", "longitude"})

    code: BranchCode | None = None
    name: Name | None = None
    address: Annotated[str, text(0, 300)] | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    is_active: Flag | None = None


class BranchRef(OrmModel):
    id: uuid.UUID
    code: str
    name: str


class BranchOut(BranchRef):
    address: str
    latitude: float | None
    longitude: float | None
    is_active: bool
    created_at: datetime
    updated_at: datetime


class SkillCreate(BaseModel):
    code: SkillCode
    name: Annotated[str, text(1, 80)]


class SkillOut(OrmModel):
    id: uuid.UUID
    code: str
    name: str


class CrewMemberIn(BaseModel):
    name: Name
    role: Annotated[str, text(1, 40)] = "roofer"


class CrewMemberOut(OrmModel):
    id: uuid.UUID
    name: str
    role: str


class CrewCreate(BaseModel):
    name: Name
    branch_id: uuid.UUID
    lead_name: OptionalName = ""
    phone: Annotated[str, text(0, 40)] = ""
    capacity_squares_per_day: Capacity = 20
    is_subcontractor: Flag = False
    home_latitude: Latitude | None = None
    home_longitude: Longitude | None = None
    color: Color = "#2563eb"
    is_active: Flag = True
    skills: list[SkillCode] = Field(default_factory=list, description="skill codes")
    members: list[CrewMemberIn] = Field(default_factory=list, max_length=100)


class CrewUpdate(PatchModel):
    nullable = frozenset({"home_latitude", "home_longitude"})

    name: Name | None = None
    branch_id: uuid.UUID | None = None
    lead_name: OptionalName | None = None
    phone: Annotated[str, text(0, 40)] | None = None
    capacity_squares_per_day: Capacity | None = None
    is_subcontractor: Flag | None = None
    home_latitude: Latitude | None = None
    home_longitude: Longitude | None = None
    color: Color | None = None
    is_active: Flag | None = None
    skills: list[SkillCode] | None = Field(default=None, description="replaces the skill set")
    members: list[CrewMemberIn] | None = Field(
        default=None, max_length=100, description="replaces the member list"
    )


class CrewRef(OrmModel):
    id: uuid.UUID
    name: str
    color: str


class CrewOut(CrewRef):
    branch_id: uuid.UUID
    branch: BranchRef
    lead_name: str
    phone: str
    capacity_squares_per_day: int
    is_subcontractor: bool
    home_latitude: float | None
    home_longitude: float | None
    is_active: bool
    skills: list[SkillOut]
    members: list[CrewMemberOut]
    created_at: datetime
    updated_at: datetime
