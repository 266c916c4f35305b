"""The crew page: a crew lead's day on a phone. Today's jobs in order with the way there and
the buttons On the way / Start work / Finish for today / Blocked, site notes and photos, the
coming days, and the schedule changes to acknowledge.

Every action is a plain form post (the page works without JavaScript: a redirect back to the
job's card); with htmx only the card is swapped, and the crew's state pill follows. A crew
lead opens only the crew they lead (403 otherwise); admins and dispatchers open any crew."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from roofops.auth.dependencies import requires
from roofops.auth.permissions import Permission
from roofops.db import DB, attempt
from roofops.dispatch.acknowledgements import acknowledgements
from roofops.exceptions import RoofOpsError, ValidationFailed
from roofops.field.images import MAX_PHOTO_BYTES
from roofops.field.photos import photo_service
from roofops.field.service import field_service
from roofops.models.enums import Role
from roofops.models.field import FieldStatus
from roofops.web.context import PageContext
from roofops.web.crew_view import STATE_LABELS, CardExtras, card_view, clock, crew_page_view
from roofops.web.dependencies import Page
from roofops.web.forms import FormText
from roofops.web.rendering import is_fragment_request, render

PAGE_URL = "/crew"
router = APIRouter(dependencies=[Depends(requires(Permission.REPORT_FIELD_WORK))])
photo_router = APIRouter(dependencies=[Depends(requires(Permission.VIEW_JOBS))])
STATUS_CHOICE = "choose On the way, Start work, Finish for today or Blocked"


@dataclass(frozen=True)
class CrewRequest:
    """A request about one crew's page."""

    request: Request
    db: Session
    page: PageContext
    crew_id: uuid.UUID

    def url(self, anchor: str = "") -> str:
        return f"{PAGE_URL}/{self.crew_id}" + (f"#{anchor}" if anchor else "")


class ReportForm(BaseModel):
    status: FormText = ""
    note: FormText = ""


class NoteForm(BaseModel):
    body: FormText = ""


class AcknowledgeForm(BaseModel):
    plan_id: FormText = ""


@router.get(PAGE_URL)
def my_crew(request: Request, db: DB, page: Page) -> Response:
    """The lead of one crew lands on its page; anyone else picks a crew."""
    led = field_service.led_crews(db, page.principal)
    if len(led) == 1:  # the principal's own crew: nothing to check
        return _whole_page(CrewRequest(request, db, page, led[0].id))
    is_lead = page.principal.role == Role.CREW_LEAD
    today = field_service.today(db)
    context = {
        "crews": led if is_lead else field_service.crews(db),
        "states": {state.crew_id: state for state in field_service.day_states(db, today)},
        "state_labels": STATE_LABELS,
        "today": today,
        "is_lead": is_lead,
    }
    return render(request, "crew/picker.html", context)


@router.get(PAGE_URL + "/{crew_id}")
def crew_page(request: Request, db: DB, page: Page, crew_id: uuid.UUID) -> Response:
    return _whole_page(_crew_request(request, db, page, crew_id))


@router.post(PAGE_URL + "/{crew_id}/jobs/{job_id}/report")
def report(
    request: Request,
    db: DB,
    page: Page,
    *,
    crew_id: uuid.UUID,
    job_id: uuid.UUID,
    form: Annotated[ReportForm, Form()],
) -> Response:
    at = _crew_request(request, db, page, crew_id)

    def act() -> None:
        status = _status(form.status)
        field_service.report(db, page.principal, crew_id, job_id, status, note=form.note)

    done = CardExtras(notice="Saved. The office sees it now.")
    return _card_action(at, job_id, act, done=done, typed={"note": form.note})


@router.post(PAGE_URL + "/{crew_id}/jobs/{job_id}/notes")
def add_note(
    request: Request,
    db: DB,
    page: Page,
    *,
    crew_id: uuid.UUID,
    job_id: uuid.UUID,
    form: Annotated[NoteForm, Form()],
) -> Response:
    at = _crew_request(request, db, page, crew_id)

    def act() -> None:
        field_service.add_note(db, page.principal, crew_id, job_id, form.body)

    done = CardExtras(notice="Note added to the job's activity.")
    return _card_action(at, job_id, act, done=done, typed={"body": form.body})


@router.post(PAGE_URL + "/{crew_id}/jobs/{job_id}/photos")
def upload_photo(
    request: Request,
    db: DB,
    page: Page,
    *,
    crew_id: uuid.UUID,
    job_id: uuid.UUID,
    photo: Annotated[UploadFile | None, File()] = None,
    caption: Annotated[FormText, Form()] = "",
) -> Response:
    at = _crew_request(request, db, page, crew_id)

    def act() -> None:
        data = _upload_bytes(photo)
        photo_service.add(db, page.principal, job_id, data, caption=caption, crew_id=crew_id)

    done = CardExtras(notice="Photo added to the job.")
    return _card_action(at, job_id, act, done=done, typed={"caption": caption})


@router.post(PAGE_URL + "/{crew_id}/acknowledge")
def acknowledge(
    request: Request,
    db: DB,
    page: Page,
    crew_id: uuid.UUID,
    form: Annotated[AcknowledgeForm, Form()],
) -> Response:
    at = _crew_request(request, db, page, crew_id)
    try:
        with attempt(db):
            plan_id = _uuid(form.plan_id, "plan_id")
            acknowledgements.acknowledge(db, page.principal, plan_id, crew_id)
    except RoofOpsError as exc:
        return _changes(at, exc.message, exc.status_code)
    if not is_fragment_request(request):
        return RedirectResponse(at.url("changes"), 303)
    return _changes(at)


@photo_router.get("/jobs/{job_id}/photos/{photo_id}")
def photo_bytes(db: DB, _page: Page, job_id: uuid.UUID, photo_id: uuid.UUID) -> Response:
    """The image as uploaded; ``nosniff`` so a browser never reads it as anything else."""
    photo = photo_service.with_bytes(db, job_id, photo_id)
    headers = {
        "Cache-Control": "private, max-age=86400, immutable",
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": f'inline; filename="photo-{photo.id}"',
    }
    return Response(photo.data, media_type=photo.content_type, headers=headers)


# ----- helpers -----------------------------------------------------------------------------
def _crew_request(
    request: Request, db: Session, page: PageContext, crew_id: uuid.UUID
) -> CrewRequest:
    """404 for an unknown crew, 403 with a sentence for a crew lead of another crew, before
    anything of the crew's page is read (the page itself does not check again)."""
    field_service.require_acts_for(db, page.principal, field_service.crew(db, crew_id))
    return CrewRequest(request, db, page, crew_id)


def _whole_page(
    at: CrewRequest,
    extras: dict[uuid.UUID, CardExtras] | None = None,
    *,
    status_code: int = 200,
    ack_error: str = "",
) -> Response:
    view = crew_page_view(at.db, at.crew_id, field_service.today(at.db), extras or {})
    context = {"view": view, "ack_error": ack_error, "clock": clock}
    return render(at.request, "crew/page.html", context, status_code=status_code)


def _card_action(
    at: CrewRequest,
    job_id: uuid.UUID,
    action: Callable[[], None],
    *,
    done: CardExtras,
    typed: dict[str, str],
) -> Response:
    """Run ``action``; answer with the job's card (htmx) or the page (a plain post), showing
    the refusal and what was typed when it failed."""
    try:
        with attempt(at.db):
            action()
    except RoofOpsError as exc:
        return _card(at, job_id, CardExtras(error=exc.message, form=typed), exc.status_code)
    if not is_fragment_request(at.request):
        return RedirectResponse(at.url(f"job-{job_id}"), 303)
    return _card(at, job_id, done, 200)


def _card(at: CrewRequest, job_id: uuid.UUID, extras: CardExtras, status_code: int) -> Response:
    if not is_fragment_request(at.request):
        return _whole_page(at, {job_id: extras}, status_code=status_code)
    update = card_view(at.db, at.crew_id, field_service.today(at.db), job_id, extras)
    return render(at.request, "crew/_card_update.html", {"update": update}, status_code=status_code)


def _changes(at: CrewRequest, error: str = "", status_code: int = 200) -> Response:
    if not is_fragment_request(at.request):
        return _whole_page(at, status_code=status_code, ack_error=error)
    view = crew_page_view(at.db, at.crew_id, field_service.today(at.db), {})
    context = {"view": view, "ack_error": error}
    return render(at.request, "crew/_changes.html", context, status_code=status_code)


def _status(raw: str) -> FieldStatus:
    try:
        return FieldStatus(raw)
    except ValueError:
        raise ValidationFailed(STATUS_CHOICE, field="status") from None


def _uuid(raw: str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError:
        message = f"{field.replace('_', ' ')} is not a valid id"
        raise ValidationFailed(message, field=field) from None


def _upload_bytes(photo: UploadFile | None) -> bytes:
    """The file's bytes, read no further than one byte past the limit (the service names it)."""
    if photo is None or not photo.filename:
        raise ValidationFailed("choose or take a photo first", field="photo")
    return photo.file.read(MAX_PHOTO_BYTES + 1)
