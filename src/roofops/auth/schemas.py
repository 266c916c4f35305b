"""JSON shapes for the signed-in principal, API tokens and user accounts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

from roofops.auth.passwords import MIN_PASSWORD_LENGTH
from roofops.kit.schemas import (
    Email,
    Flag,
    IsoDateTime,
    OrmModel,
    PatchModel,
    refuse_nul,
    text,
)
from roofops.models.enums import ActorType, Role

FullName = Annotated[str, text(0, 200)]
# Not trimmed: spaces are part of a password.
Password = Annotated[
    str, Field(min_length=MIN_PASSWORD_LENGTH, max_length=200), AfterValidator(refuse_nul)
]


class MeOut(BaseModel):
    user_id: uuid.UUID | None
    email: str
    name: str
    role: Role
    actor_type: ActorType = Field(description="user (browser session) or api_token")


class TokenCreate(BaseModel):
    name: Annotated[str, text(1, 120)] = Field(description="what the token is for")
    expires_at: IsoDateTime | None = Field(default=None, description="never expires if absent")


class TokenOut(OrmModel):
    id: uuid.UUID
    name: str
    prefix: str = Field(description="the first characters, to recognise a token")
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


class NewTokenOut(TokenOut):
    token: str = Field(description="the bearer token; shown only in this response")


class UserCreate(BaseModel):
    email: Email
    role: Role
    full_name: FullName = ""
    password: Password | None = Field(
        default=None, description="generated and returned once when absent"
    )
    branch_id: uuid.UUID | None = None


class UserUpdate(PatchModel):
    nullable = frozenset({"branch_id"})

    full_name: FullName | None = None
    role: Role | None = None
    is_active: Flag | None = None
    branch_id: uuid.UUID | None = None


class UserOut(OrmModel):
    id: uuid.UUID
    email: str
    full_name: str
    role: Role
    is_active: bool
    branch_id: uuid.UUID | None
    last_login_at: datetime | None
    created_at: datetime
    updated_at: datetime


class NewUserOut(UserOut):
    password: str | None = Field(description="the generated password, shown once; null if given")
