"""JSON API for a job's activity feed: read it (VIEW_JOBS), write a note (WRITE_NOTES)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from roofops.activity.results import FeedCursor
from roofops.activity.schemas import FeedEntryOut, FeedOut, NoteIn
from roofops.activity.service import FEED_LIMIT, MAX_FEED_LIMIT, activity_service
from roofops.api_responses import errors
from roofops.auth.dependencies import requires
from roofops.auth.permissions import Permission
from roofops.auth.principal import Principal
from roofops.db import DB

router = APIRouter(prefix="/jobs", tags=["activity"])
Reader = Annotated[Principal, Depends(requires(Permission.VIEW_JOBS))]
Writer = Annotated[Principal, Depends(requires(Permission.WRITE_NOTES))]


@router.get(
    "/{job_id}/activity",
    summary="A job's activity feed, newest first",
    description="Notes, field reports, photos, handoffs, schedule and sync changes, and stage "
    "changes. Page with `before` (the previous page's `older`).",
    responses=errors(404),
)
def job_activity(
    db: DB,
    _: Reader,
    job_id: uuid.UUID,
    limit: Annotated[int, Query(ge=1, le=MAX_FEED_LIMIT)] = FEED_LIMIT,
    before: Annotated[str | None, Query(max_length=80)] = None,
) -> FeedOut:
    cursor = FeedCursor.parse(before) if before else None
    page = activity_service.feed_page(db, job_id, limit, before=cursor)
    return FeedOut(
        entries=[FeedEntryOut.model_validate(entry) for entry in page.entries],
        older=str(page.older) if page.older else None,
    )


@router.post(
    "/{job_id}/activity",
    status_code=201,
    summary="Write a note on a job",
    description='@olivia (e-mail local part) or @"Olivia Office" (full name) notifies that '
    "active user; mentions that match nobody are listed in data.unmatched.",
    responses=errors(404),
)
def add_note(db: DB, principal: Writer, job_id: uuid.UUID, body: NoteIn) -> FeedEntryOut:
    note = activity_service.add_note(db, principal, job_id, body.body)
    return FeedEntryOut.model_validate(activity_service.entry(note))
