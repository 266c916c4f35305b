"""The job page's Documents and Site photos cards: the job's documents (upload, delete) and,
for each document and photo, whether the job's customer sees it in the portal. The job page
loads the cards into itself; every action answers with both cards again (htmx) or sends the
browser back to the job page (a plain form post)."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from roofops.auth.dependencies import requires
from roofops.auth.permissions import Permission
from roofops.db import DB, attempt
from roofops.document.service import MAX_DOCUMENT_BYTES, document_service, document_url
from roofops.exceptions import RoofOpsError
from roofops.field.photos import photo_service, photo_url
from roofops.web.dependencies import Page
from roofops.web.forms import FormText
from roofops.web.rendering import is_fragment_request, render

router = APIRouter()
Reader = [Depends(requires(Permission.VIEW_JOBS))]
Sharing = [Depends(requires(Permission.MANAGE_PORTAL))]
TEMPLATE = "jobs/_documents.html"


class ShareForm(BaseModel):
    shared: FormText = ""  # "1" from a ticked checkbox; absent when it is cleared


def sharing_context(db: Session, job_id: uuid.UUID, **extra: Any) -> dict[str, Any]:
    """What jobs/_documents.html shows: the documents, the photos and the upload form's state."""
    documents = document_service.of_job(db, job_id)
    return {
        "sharing_job_id": job_id,
        "documents": [(d, document_url(job_id, d.id), size_label(d.byte_size)) for d in documents],
        "photos": [(p, photo_url(job_id, p.id)) for p in photo_service.of_job(db, job_id)],
        "max_document_mb": MAX_DOCUMENT_BYTES // 1024 // 1024,
        "upload": {"title": ""},
        "notice": "",
        "error": "",
    } | extra


def size_label(byte_size: int) -> str:
    if byte_size >= 1024 * 1024:
        return f"{byte_size / 1024 / 1024:.1f} MB"
    return f"{max(byte_size // 1024, 1)} KB"


@router.get("/jobs/{job_id}/documents", dependencies=Reader)
def documents_block(request: Request, db: DB, _page: Page, job_id: uuid.UUID) -> Response:
    return render(request, TEMPLATE, sharing_context(db, job_id))


@router.post("/jobs/{job_id}/documents", dependencies=Sharing)
def upload_document(
    request: Request,
    db: DB,
    page: Page,
    job_id: uuid.UUID,
    *,
    file: Annotated[UploadFile | None, File()] = None,
    title: Annotated[FormText, Form()] = "",
) -> Response:
    def act() -> None:
        stream = file.file if file else io.BytesIO()  # no file part: "the file is empty"
        name = file.filename or "" if file else ""
        document_service.add(db, page.principal, job_id, stream, title=title, filename=name)

    typed = {"upload": {"title": title}}
    return _act(request, db, job_id, act, "Document added; it is not shared yet.", typed=typed)


@router.post("/jobs/{job_id}/documents/{document_id}/share", dependencies=Sharing)
def share_document(
    request: Request,
    db: DB,
    page: Page,
    *,
    job_id: uuid.UUID,
    document_id: uuid.UUID,
    form: Annotated[ShareForm, Form()],
) -> Response:
    shared = form.shared == "1"

    def act() -> None:
        document_service.update(db, page.principal, job_id, document_id, shared=shared)

    return _act(request, db, job_id, act, _shared_notice("Document", shared))


@router.post("/jobs/{job_id}/documents/{document_id}/delete", dependencies=Sharing)
def delete_document(
    request: Request, db: DB, page: Page, job_id: uuid.UUID, document_id: uuid.UUID
) -> Response:
    def act() -> None:
        document_service.delete(db, page.principal, job_id, document_id)

    return _act(request, db, job_id, act, "Document deleted.")


@router.post("/jobs/{job_id}/photos/{photo_id}/share", dependencies=Sharing)
def share_photo(
    request: Request,
    db: DB,
    page: Page,
    *,
    job_id: uuid.UUID,
    photo_id: uuid.UUID,
    form: Annotated[ShareForm, Form()],
) -> Response:
    shared = form.shared == "1"

    def act() -> None:
        document_service.share_photo(db, page.principal, job_id, photo_id, shared=shared)

    return _act(request, db, job_id, act, _shared_notice("Photo", shared))


def _shared_notice(what: str, shared: bool) -> str:
    if shared:
        return f"{what} shared: the customer sees it in the portal."
    return f"{what} no longer shared with the customer."


def _act(
    request: Request,
    db: Session,
    job_id: uuid.UUID,
    action: Callable[[], None],
    notice: str,
    *,
    typed: dict[str, Any] | None = None,
) -> Response:
    """Run ``action``; answer with the cards (htmx) or send the browser back to the job page.
    A refusal is shown above the cards, keeping what was typed; nothing was written."""
    try:
        with attempt(db):
            action()
    except RoofOpsError as exc:
        refused = (typed or {}) | {"error": exc.message}
        context = sharing_context(db, job_id, **refused)
        return render(request, TEMPLATE, context, status_code=exc.status_code)
    if not is_fragment_request(request):
        return RedirectResponse(f"/jobs/{job_id}#documents", status_code=303)
    return render(request, TEMPLATE, sharing_context(db, job_id, notice=notice))
