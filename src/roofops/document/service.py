"""Job documents (contract, warranty, permit, claim paperwork) and sharing them and the site
photos with the job's customer. Every share, unshare and delete is audited: what a homeowner
could see, and since when, is a question the office must be able to answer."""

from __future__ import annotations

import uuid
from typing import BinaryIO

from sqlalchemy.orm import Session

from roofops.audit.service import apply_changes, audit_service, change
from roofops.auth.permissions import Permission
from roofops.auth.principal import Principal
from roofops.document.repository import DocumentRepository
from roofops.exceptions import PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from roofops.field.photos import photo_service
from roofops.kit.files import safe_filename, sniff_document_type
from roofops.kit.time import utcnow
from roofops.models.document import JobDocument
from roofops.models.field import JobPhoto

MAX_DOCUMENT_BYTES = 15 * 1024 * 1024
MAX_TITLE = 200
KINDS = "a PDF, JPEG, PNG, WebP or HEIC file"


def document_url(job_id: uuid.UUID, document_id: uuid.UUID) -> str:
    """Where a document's bytes are downloaded (to anyone who may see the job)."""
    return f"/api/v1/jobs/{job_id}/documents/{document_id}"


def checked_document_type(data: bytes) -> str:
    """The media type of a storable document, told by its first bytes; 413 when too large,
    422 when empty, 415 for any other kind of file."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise PayloadTooLarge(
            f"the file is larger than the {MAX_DOCUMENT_BYTES // 1024 // 1024} MB limit: "
            "send a smaller or compressed copy",
            field="file",
        )
    if not data:
        raise ValidationFailed("the file is empty: choose the document to upload", field="file")
    media_type = sniff_document_type(data)
    if media_type is None:
        raise UnsupportedMediaType(f"this file is not one we store: send {KINDS}", field="file")
    return media_type


class DocumentService:
    def add(
        self,
        db: Session,
        principal: Principal,
        job_id: uuid.UUID,
        upload: BinaryIO,
        *,
        title: str,
        filename: str,
    ) -> JobDocument:
        """Store a document on the job, internal until shared; its type comes from its bytes
        and its name ends in that type's extension. ``upload`` is read no further than one
        byte past the limit."""
        principal.require(Permission.MANAGE_PORTAL)
        repository = DocumentRepository(db)
        job = repository.job(job_id)
        clean_title = _title(title)
        data = upload.read(MAX_DOCUMENT_BYTES + 1)
        media_type = checked_document_type(data)
        document = repository.add(
            JobDocument(
                job_id=job.id,
                title=clean_title,
                filename=safe_filename(filename, media_type, fallback="document"),
                content_type=media_type,
                byte_size=len(data),
                data=data,
                uploaded_at=utcnow(),
                uploaded_by_id=principal.user_id,
                shared_with_customer=False,
            )
        )
        audit_service.created(db, principal, "document", document.id)
        return document

    def of_job(self, db: Session, job_id: uuid.UUID) -> list[JobDocument]:
        """The job's documents, newest first, without their bytes."""
        repository = DocumentRepository(db)
        repository.job(job_id)  # 404 for a job that does not exist
        return repository.of_job(job_id)

    def with_bytes(self, db: Session, job_id: uuid.UUID, document_id: uuid.UUID) -> JobDocument:
        return DocumentRepository(db).with_bytes(job_id, document_id)

    def update(
        self,
        db: Session,
        principal: Principal,
        job_id: uuid.UUID,
        document_id: uuid.UUID,
        *,
        title: str | None = None,
        shared: bool | None = None,
    ) -> JobDocument:
        """Rename the document and/or share or unshare it with the job's customer."""
        principal.require(Permission.MANAGE_PORTAL)
        document = DocumentRepository(db).on_job(job_id, document_id)
        if title is not None:
            renamed = apply_changes(document, {"title": _title(title)})
            audit_service.updated(db, principal, "document", document.id, renamed)
        if shared is not None:
            _set_shared(db, principal, document, "document", shared)
        db.flush()
        return document

    def delete(
        self, db: Session, principal: Principal, job_id: uuid.UUID, document_id: uuid.UUID
    ) -> None:
        principal.require(Permission.MANAGE_PORTAL)
        repository = DocumentRepository(db)
        document = repository.on_job(job_id, document_id)
        audit_service.record(
            db,
            principal,
            action="document.deleted",
            entity_type="document",
            entity_id=document.id,
            changes={
                "title": change(document.title, None),
                "shared_with_customer": change(document.shared_with_customer, None),
            },
            reason=document.filename,
        )
        repository.delete(document)

    def share_photo(
        self,
        db: Session,
        principal: Principal,
        job_id: uuid.UUID,
        photo_id: uuid.UUID,
        *,
        shared: bool,
    ) -> JobPhoto:
        """Share a site photo with the job's customer, or take it back."""
        principal.require(Permission.MANAGE_PORTAL)
        photo = photo_service.on_job(db, job_id, photo_id)
        _set_shared(db, principal, photo, "photo", shared)
        db.flush()
        return photo


def _set_shared(
    db: Session, principal: Principal, item: JobDocument | JobPhoto, kind: str, shared: bool
) -> None:
    """Audited only when it changes: clicking Share twice leaves one row."""
    if item.shared_with_customer == shared:
        return
    audit_service.record(
        db,
        principal,
        action=f"{kind}.{'shared' if shared else 'unshared'}",
        entity_type=kind,
        entity_id=item.id,
        changes={"shared_with_customer": change(item.shared_with_customer, shared)},
        reason=f"job {item.job_id}",
    )
    item.shared_with_customer = shared


def _title(title: str) -> str:
    text = " ".join(title.split())
    if "\x00" in text:
        raise ValidationFailed("the title must not contain NUL characters", field="title")
    if not text:
        raise ValidationFailed("give the document a title (e.g. Signed contract)", field="title")
    if len(text) > MAX_TITLE:
        raise ValidationFailed(f"the title is longer than {MAX_TITLE} characters", field="title")
    return text


document_service = DocumentService()
