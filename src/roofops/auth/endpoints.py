"""JSON API: who am I, my API tokens, and user accounts (admins)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from roofops.api_paging import page_out, sorted_paging
from roofops.api_responses import errors
from roofops.auth.dependencies import requires
from roofops.auth.permissions import Permission
from roofops.auth.principal import Principal
from roofops.auth.schemas import (
    MeOut,
    NewTokenOut,
    NewUserOut,
    TokenCreate,
    TokenOut,
    UserCreate,
    UserOut,
    UserUpdate,
)
from roofops.auth.service import (
    TOKEN_SORTS,
    USER_SORTS,
    UserFilters,
    auth_service,
    user_service,
)
from roofops.db import DB
from roofops.exceptions import NotFound
from roofops.kit.paging import PageOut, PageRequest
from roofops.models.enums import Role

router = APIRouter()
Reader = Annotated[Principal, Depends(requires(Permission.USE_ACCOUNT))]
Admin = Annotated[Principal, Depends(requires(Permission.MANAGE_USERS))]
TokenPaging = Annotated[PageRequest, Depends(sorted_paging(TOKEN_SORTS))]
UserPaging = Annotated[PageRequest, Depends(sorted_paging(USER_SORTS))]


def _own_user_id(principal: Principal) -> uuid.UUID:
    if principal.user_id is None:
        raise NotFound("this principal has no user account")
    return principal.user_id


@router.get("/auth/me", tags=["auth"], summary="Who is calling")
def me(principal: Reader) -> MeOut:
    return MeOut(
        user_id=principal.user_id,
        email=principal.email,
        name=principal.name,
        role=principal.role,
        actor_type=principal.actor_type,
    )


@router.get(
    "/auth/tokens",
    tags=["auth"],
    summary="My API tokens",
    description="Sortable by created_at, name, last_used_at (default -created_at).",
    responses=errors(404),
)
def list_tokens(
    db: DB,
    principal: Reader,
    paging: TokenPaging,
    active: Annotated[bool | None, Query(description="usable (true) or revoked/expired")] = None,
) -> PageOut[TokenOut]:
    tokens = auth_service.api_tokens(db, _own_user_id(principal), active, paging)
    return page_out(tokens, TokenOut)


@router.post(
    "/auth/tokens",
    tags=["auth"],
    status_code=201,
    summary="Create an API token for myself",
    description="The token acts with my role. Its value is in this response only.",
    responses=errors(404),
)
def create_token(db: DB, principal: Reader, body: TokenCreate) -> NewTokenOut:
    new = auth_service.create_api_token(
        db, user_id=_own_user_id(principal), name=body.name, expires_at=body.expires_at
    )
    return NewTokenOut(**TokenOut.model_validate(new.token).model_dump(), token=new.raw_token)


@router.delete(
    "/auth/tokens/{token_id}",
    tags=["auth"],
    status_code=204,
    summary="Revoke one of my tokens",
    responses=errors(404),
)
def revoke_token(db: DB, principal: Reader, token_id: uuid.UUID) -> Response:
    auth_service.revoke_api_token(db, token_id=token_id, owner_id=_own_user_id(principal))
    return Response(status_code=204)


def user_filters(
    q: Annotated[str | None, Query(max_length=200, description="searches e-mail and name")] = None,
    role: Role | None = None,
    active: bool | None = None,
) -> UserFilters:
    return UserFilters(q=q, role=role, active=active)


@router.get(
    "/users",
    tags=["users"],
    summary="List user accounts",
    description=f"Admins only. Sortable by: {', '.join(USER_SORTS)} (default email).",
)
def list_users(
    db: DB, _: Admin, paging: UserPaging, filters: Annotated[UserFilters, Depends(user_filters)]
) -> PageOut[UserOut]:
    return page_out(user_service.search(db, filters, paging), UserOut)


@router.post(
    "/users",
    tags=["users"],
    status_code=201,
    summary="Create a user account",
    description="Without a password one is generated and returned in this response only.",
    responses=errors(404, 409),
)
def create_user(db: DB, principal: Admin, body: UserCreate) -> NewUserOut:
    user, password = user_service.add_user(db, principal, body)
    return NewUserOut(**UserOut.model_validate(user).model_dump(), password=password)


@router.patch(
    "/users/{user_id}",
    tags=["users"],
    summary="Edit a user's name, role, branch or active flag (audited)",
    description="Admins cannot deactivate or demote themselves.",
    responses=errors(404, 409),
)
def update_user(db: DB, principal: Admin, user_id: uuid.UUID, body: UserUpdate) -> UserOut:
    return UserOut.model_validate(user_service.update(db, principal, user_id, body))
