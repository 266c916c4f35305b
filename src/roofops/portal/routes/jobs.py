"""The homeowner's pages: their jobs, a job's page, its files, and a message to the office.

Every route depends on the signed-in visitor (roofops.portal.dependencies): signed out, a page
redirects to the portal's sign-in and a form post is a 401. Ids of anything that is not the
visitor's are a 404, like ids that do not exist (roofops.portal.homeowner)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from roofops.activity.service import MESSAGE_LIMIT
from roofops.db import DB, attempt
from roofops.exceptions import RoofOpsError, TooManyRequests, ValidationFailed
from roofops.portal.dependencies import Visitor
from roofops.portal.homeowner import homeowner_service
from roofops.portal.job_view import FileView
from roofops.portal.routes.rendering import render_portal

router = APIRouter()
HOME = "/portal/"


def portal_root() -> Response:
    """``/portal`` is the same place as ``/portal/`` (links get typed without the slash)."""
    return RedirectResponse(HOME, status_code=303)


@router.get("/")
def jobs_list(request: Request, db: DB, visitor: Visitor) -> Response:
    jobs = homeowner_service.jobs(db, visitor)
    return render_portal(request, "portal/jobs.html", {"jobs": jobs})


@router.get("/jobs/{job_id}")
def job_page(
    request: Request,
    db: DB,
    visitor: Visitor,
    job_id: uuid.UUID,
    sent: Annotated[bool, Query()] = False,
) -> Response:
    return _job_page(request, db, visitor, job_id, {"sent": sent})


@router.post("/jobs/{job_id}/messages")
def send_message(
    request: Request,
    db: DB,
    visitor: Visitor,
    job_id: uuid.UUID,
    message: Annotated[str, Form()] = "",
) -> Response:
    """Post, redirect, get: the page says "sent"; a refusal shows on the page, text kept."""
    try:
        with attempt(db):
            homeowner_service.send_message(db, visitor, job_id, message)
    except (ValidationFailed, TooManyRequests) as refused:
        form = {"text": message, "error": refused.message}
        return _job_page(request, db, visitor, job_id, form, refused=refused)
    return RedirectResponse(f"/portal/jobs/{job_id}?sent=true#message", status_code=303)


@router.get("/jobs/{job_id}/invoices/{invoice_id}.pdf")
def invoice_pdf(db: DB, visitor: Visitor, job_id: uuid.UUID, invoice_id: uuid.UUID) -> Response:
    return _file(homeowner_service.invoice_pdf(db, visitor, job_id, invoice_id), "inline")


@router.get("/jobs/{job_id}/photos/{photo_id}")
def photo(db: DB, visitor: Visitor, job_id: uuid.UUID, photo_id: uuid.UUID) -> Response:
    return _file(homeowner_service.photo(db, visitor, job_id, photo_id), "inline")


@router.get("/jobs/{job_id}/documents/{document_id}")
def document(db: DB, visitor: Visitor, job_id: uuid.UUID, document_id: uuid.UUID) -> Response:
    return _file(homeowner_service.document(db, visitor, job_id, document_id), "attachment")


def _job_page(
    request: Request,
    db: DB,
    visitor: Visitor,
    job_id: uuid.UUID,
    form: dict[str, Any],
    *,
    refused: RoofOpsError | None = None,
) -> Response:
    """The job's page; after a refused message, with the refusal's status and the text kept."""
    page = homeowner_service.job_page(db, visitor, job_id)
    context = {"job": page, "form": {"text": "", "error": "", **form}, "limit": MESSAGE_LIMIT}
    return render_portal(
        request,
        "portal/job.html",
        context,
        status_code=refused.status_code if refused else 200,
        headers=_retry_after(refused),
    )


def _retry_after(refused: RoofOpsError | None) -> dict[str, str] | None:
    if isinstance(refused, TooManyRequests):
        return {"Retry-After": str(refused.retry_after_seconds)}
    return None


def _file(file: FileView, disposition: str) -> Response:
    """The stored bytes as stored; nosniff (set on every answer) keeps a browser from reading
    them as anything else."""
    headers = {"Content-Disposition": f'{disposition}; filename="{file.filename}"'}
    return Response(file.data, media_type=file.content_type, headers=headers)
