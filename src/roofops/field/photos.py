"""Site photos: uploaded from the crew page or the API, stored in the database, shown on the
job's activity feed (a PHOTO entry carries ``data["photo_id"]``) and served to anyone who may
see the job."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy.orm import Session

from roofops.activity.service import activity_service
from roofops.auth.permissions import Permission
from roofops.auth.principal import Principal
from roofops.exceptions import ValidationFailed
from roofops.field.images import checked_image_type
from roofops.field.repository import FieldReportRepository, PhotoRepository
from roofops.field.service import field_service
from roofops.kit.time import utcnow
from roofops.models.activity import ActivityKind
from roofops.models.enums import Role
from roofops.models.field import JobPhoto

MAX_CAPTION = 500


def photo_url(job_id: uuid.UUID, photo_id: uuid.UUID) -> str:
    """Where a photo's bytes are served (to anyone who may see the job)."""
    return f"/jobs/{job_id}/photos/{photo_id}"


class PhotoService:
    def add(
        self,
        db: Session,
        principal: Principal,
        job_id: uuid.UUID,
        data: bytes,
        *,
        caption: str = "",
        crew_id: uuid.UUID | None = None,
    ) -> JobPhoto:
        """Store a photo of the job: 413 over the size limit, 422 when not an image; a crew
        lead uploads for the crew they lead (``crew_id`` required)."""
        principal.require(Permission.REPORT_FIELD_WORK)
        repository = FieldReportRepository(db)
        _check_crew(db, principal, repository, crew_id)
        job = repository.job(job_id)
        media_type = checked_image_type(data)
        photo = PhotoRepository(db).add(
            JobPhoto(
                job_id=job.id,
                crew_id=crew_id,
                content_type=media_type,
                byte_size=len(data),
                data=data,
                caption=_caption(caption),
                uploaded_at=utcnow(),
                uploaded_by_id=principal.user_id,
            )
        )
        body = f"Photo: {photo.caption}" if photo.caption else "Added a site photo"
        activity_service.record(
            db, job.id, ActivityKind.PHOTO, body, by=principal, data={"photo_id": str(photo.id)}
        )
        return photo

    def of_job(self, db: Session, job_id: uuid.UUID) -> list[JobPhoto]:
        """The job's photos, newest first, without their bytes."""
        FieldReportRepository(db).job(job_id)  # 404 for a job that does not exist
        return PhotoRepository(db).of_job(job_id)

    def on_job(self, db: Session, job_id: uuid.UUID, photo_id: uuid.UUID) -> JobPhoto:
        """One of the job's photos without its bytes; 404 for another job's photo."""
        return PhotoRepository(db).on_job(job_id, photo_id)

    def latest_of_jobs(
        self, db: Session, job_ids: Collection[uuid.UUID], per_job: int
    ) -> dict[uuid.UUID, list[JobPhoto]]:
        """Each job's ``per_job`` newest photos, without their bytes (a job without photos is
        left out)."""
        return PhotoRepository(db).latest_of_jobs(job_ids, per_job)

    def with_bytes(self, db: Session, job_id: uuid.UUID, photo_id: uuid.UUID) -> JobPhoto:
        return PhotoRepository(db).with_bytes(job_id, photo_id)


def _check_crew(
    db: Session,
    principal: Principal,
    repository: FieldReportRepository,
    crew_id: uuid.UUID | None,
) -> None:
    if crew_id is not None:
        field_service.require_acts_for(db, principal, repository.crew(crew_id))
    elif principal.role == Role.CREW_LEAD:
        raise ValidationFailed("say which crew took the photo (your crew)", field="crew_id")


def _caption(caption: str) -> str:
    text = " ".join(caption.split())
    if len(text) > MAX_CAPTION:
        raise ValidationFailed(
            f"the caption is longer than {MAX_CAPTION} characters", field="caption"
        )
    return text


photo_service = PhotoService()
