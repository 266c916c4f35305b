"""JSON API of job documents and of sharing documents and site photos with the customer."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, UploadFile
from fastapi.responses import Response

from roofops.api_responses import errors
from roofops.auth.dependencies import requires
from roofops.auth.permissions import Permission
from roofops.auth.principal import Principal
from roofops.db import DB
from roofops.document.schemas import JobDocumentOut, JobDocumentUpdate, PhotoShareIn
from roofops.document.service import document_service, document_url
from roofops.field.endpoints import photo_out
from roofops.field.schemas import JobPhotoOut
from roofops.kit.files import EXTENSIONS, attachment_disposition
from roofops.models.document import JobDocument

router = APIRouter(tags=["documents"])
JobReader = Annotated[Principal, Depends(requires(Permission.VIEW_JOBS))]
PortalManager = Annotated[Principal, Depends(requires(Permission.MANAGE_PORTAL))]
DOCUMENTS = "/jobs/{job_id}/documents"
ONE_DOCUMENT = DOCUMENTS + "/{document_id}"


@router.get(DOCUMENTS, summary="A job's documents, newest first", responses=errors(404))
def list_documents(db: DB, _: JobReader, job_id: uuid.UUID) -> list[JobDocumentOut]:
    return [_document_out(document) for document in document_service.of_job(db, job_id)]


@router.post(
    DOCUMENTS,
    status_code=201,
    summary="Upload a document to a job (PDF, JPEG, PNG, WebP or HEIC, at most 15 MB)",
    description="multipart/form-data: `file` and `title`. The type is read from the file's "
    "first bytes (its name's extension is set to match); a new document is internal until "
    "shared with the customer.",
    responses=errors(404, 413, 415, 422),
)
def upload_document(
    db: DB,
    principal: PortalManager,
    job_id: uuid.UUID,
    file: Annotated[UploadFile, File(description="the document")],
    title: Annotated[str, Form(max_length=200, description="e.g. Signed contract")],
) -> JobDocumentOut:
    document = document_service.add(
        db, principal, job_id, file.file, title=title, filename=file.filename or ""
    )
    return _document_out(document)


@router.get(
    ONE_DOCUMENT,
    summary="Download a document (its bytes, as an attachment)",
    response_class=Response,
    responses={200: {"content": {kind: {} for kind in EXTENSIONS}}, **errors(404)},
)
def download_document(db: DB, _: JobReader, job_id: uuid.UUID, document_id: uuid.UUID) -> Response:
    document = document_service.with_bytes(db, job_id, document_id)
    headers = {
        "Content-Disposition": attachment_disposition(document.filename),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
    }
    return Response(document.data, media_type=document.content_type, headers=headers)


@router.patch(
    ONE_DOCUMENT,
    summary="Share a document with the job's customer (or stop), or rename it",
    responses=errors(404, 422),
)
def update_document(
    db: DB,
    principal: PortalManager,
    job_id: uuid.UUID,
    document_id: uuid.UUID,
    body: JobDocumentUpdate,
) -> JobDocumentOut:
    document = document_service.update(
        db, principal, job_id, document_id, title=body.title, shared=body.shared_with_customer
    )
    return _document_out(document)


@router.delete(ONE_DOCUMENT, status_code=204, summary="Delete a document", responses=errors(404))
def delete_document(
    db: DB, principal: PortalManager, job_id: uuid.UUID, document_id: uuid.UUID
) -> Response:
    document_service.delete(db, principal, job_id, document_id)
    return Response(status_code=204)


@router.patch(
    "/jobs/{job_id}/photos/{photo_id}",
    tags=["field"],
    summary="Share a site photo with the job's customer, or stop sharing it",
    responses=errors(404, 422),
)
def share_photo(
    db: DB, principal: PortalManager, job_id: uuid.UUID, photo_id: uuid.UUID, body: PhotoShareIn
) -> JobPhotoOut:
    photo = document_service.share_photo(
        db, principal, job_id, photo_id, shared=body.shared_with_customer
    )
    return photo_out(photo)


def _document_out(document: JobDocument) -> JobDocumentOut:
    out = JobDocumentOut.model_validate(document)
    return out.model_copy(update={"url": document_url(document.job_id, document.id)})
