"""JSON API for the signed-in person's own notifications."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from roofops.api_responses import errors
from roofops.auth.dependencies import requires
from roofops.auth.permissions import Permission
from roofops.auth.principal import Principal
from roofops.db import DB
from roofops.notification.schemas import InboxOut, MarkedRead, MarkRead, NotificationOut
from roofops.notification.service import LIST_LIMIT, MAX_LIST_LIMIT, notification_service

router = APIRouter(prefix="/notifications", tags=["notifications"])
Account = Annotated[Principal, Depends(requires(Permission.USE_ACCOUNT))]


@router.get("", summary="My notifications, newest first, and how many are unread")
def my_notifications(
    db: DB,
    principal: Account,
    limit: Annotated[int, Query(ge=1, le=MAX_LIST_LIMIT)] = LIST_LIMIT,
    unread: Annotated[bool, Query(description="only unread ones")] = False,
) -> InboxOut:
    inbox = notification_service.inbox(db, principal, limit, unread_only=unread)
    return InboxOut(
        notifications=[NotificationOut.model_validate(row) for row in inbox.notifications],
        unread=inbox.unread,
    )


@router.post(
    "/read",
    summary="Mark my notifications read",
    description="The ids given (ids of others' notifications are ignored), or all of them.",
    responses=errors(422),
)
def mark_read(db: DB, principal: Account, body: MarkRead) -> MarkedRead:
    marked = notification_service.mark_read(db, principal, body.ids)
    return MarkedRead(marked=marked, unread=notification_service.unread_count(db, principal))
