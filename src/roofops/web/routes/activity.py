"""A job's activity feed on its page (notes, @mentions, live entries), and each person's
notifications: the header bell and the /notifications page."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from roofops.activity.results import FeedCursor
from roofops.activity.service import activity_service
from roofops.auth.dependencies import requires
from roofops.auth.permissions import Permission
from roofops.db import DB, attempt
from roofops.exceptions import NotFound, ValidationFailed
from roofops.models.activity import JobActivity
from roofops.notification.service import notification_service
from roofops.web.activity_view import feed_items
from roofops.web.dependencies import Page
from roofops.web.forms import FormText
from roofops.web.rendering import is_fragment_request, render

router = APIRouter()
FEED_PAGE = 25
INBOX_PAGE = 100
Reader = [Depends(requires(Permission.VIEW_JOBS))]
Account = [Depends(requires(Permission.USE_ACCOUNT))]


def activity_context(
    db: Session, job_id: uuid.UUID, before: FeedCursor | None = None, **extra: Any
) -> dict[str, Any]:
    """What jobs/_activity.html shows: a page of the feed and the note form's state."""
    page = activity_service.feed_page(db, job_id, FEED_PAGE, before=before)
    return {
        "activity_job_id": job_id,
        "feed_items": feed_items(page.entries, job_id),
        "feed_older": str(page.older) if page.older else "",
        "note": {"body": "", "error": ""} | extra,
    }


@router.get("/jobs/{job_id}/activity", dependencies=Reader)
def job_activity(
    request: Request,
    db: DB,
    _page: Page,
    job_id: uuid.UUID,
    before: Annotated[str | None, Query(max_length=80)] = None,
) -> Response:
    """The feed's entries: the newest page (live refresh) or, with ``before``, an older one."""
    cursor = FeedCursor.parse(before) if before else None
    return render(request, "jobs/_activity_entries.html", activity_context(db, job_id, cursor))


@router.post("/jobs/{job_id}/notes", dependencies=[Depends(requires(Permission.WRITE_NOTES))])
def add_note(
    request: Request, db: DB, page: Page, job_id: uuid.UUID, body: Annotated[FormText, Form()] = ""
) -> Response:
    try:
        with attempt(db):
            note = activity_service.add_note(db, page.principal, job_id, body)
    except ValidationFailed as refused:
        context = activity_context(db, job_id, body=body, error=refused.message)
        return render(request, "jobs/_activity_form.html", context, status_code=refused.status_code)
    if not is_fragment_request(request):
        return RedirectResponse(f"/jobs/{job_id}#activity", status_code=303)
    context = activity_context(db, job_id) | _added(note)
    return render(request, "jobs/_activity_form.html", context)


def _added(note: JobActivity) -> dict[str, Any]:
    """The form again, empty, saying who was not notified; the entries swapped out of band."""
    unmatched = [item["text"] for item in note.data.get("unmatched", [])]
    return {"added": True, "unmatched": unmatched, "oob_entries": True}


# ----- notifications --------------------------------------------------------------------------


@router.get("/notifications", dependencies=Account)
def notifications_page(request: Request, db: DB, page: Page) -> Response:
    inbox = notification_service.inbox(db, page.principal, INBOX_PAGE)
    return render(request, "notifications/list.html", {"inbox": inbox})


@router.get("/notifications/bell", dependencies=Account)
def bell(request: Request, _page: Page) -> Response:
    """The header bell alone: the page swaps it in when a notification for this person lands."""
    return render(request, "notifications/_bell.html", {})


@router.post("/notifications/read", dependencies=Account)
def mark_all_read(db: DB, page: Page) -> Response:
    notification_service.mark_read(db, page.principal)
    return RedirectResponse("/notifications", status_code=303)


@router.post("/notifications/{notification_id}/open", dependencies=Account)
def open_notification(db: DB, page: Page, notification_id: uuid.UUID) -> Response:
    """Mark it read and go where it points (a POST: reading changes state)."""
    row = notification_service.open(db, page.principal, notification_id)
    if row is None:
        raise NotFound("no such notification")
    return RedirectResponse(row.link or "/notifications", status_code=303)
