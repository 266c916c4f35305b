"""JSON API of the field side: crews' reports, every crew's state on a day, site photos."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query

from roofops.api_responses import errors
from roofops.auth.dependencies import requires
from roofops.auth.permissions import Permission
from roofops.auth.principal import Principal
from roofops.db import DB
from roofops.field.photos import photo_service, photo_url
from roofops.field.schemas import (
    CrewDayStateOut,
    FieldDayOut,
    FieldReportIn,
    FieldReportOut,
    JobPhotoOut,
)
from roofops.field.service import field_service
from roofops.kit.schemas import IsoDate
from roofops.models.field import JobPhoto

router = APIRouter(tags=["field"])
Reporter = Annotated[Principal, Depends(requires(Permission.REPORT_FIELD_WORK))]
CrewReader = Annotated[Principal, Depends(requires(Permission.VIEW_CREWS))]
JobReader = Annotated[Principal, Depends(requires(Permission.VIEW_JOBS))]


@router.post(
    "/field/reports",
    status_code=201,
    summary="Report a crew's status on a job now (on the way, on site, finished, blocked)",
    description="A crew lead reports only for the crew they lead; blocked needs a note. The "
    "first on-site report on a scheduled job moves it to in production.",
    responses=errors(404, 409),
)
def create_report(db: DB, principal: Reporter, body: FieldReportIn) -> FieldReportOut:
    report = field_service.report(
        db, principal, body.crew_id, body.job_id, body.status, note=body.note
    )
    return FieldReportOut.model_validate(report)


@router.get(
    "/field/today",
    summary="Every active crew's state on a day (today in the company's time zone by default)",
)
def field_day(
    db: DB,
    _: CrewReader,
    day: Annotated[IsoDate | None, Query(description="YYYY-MM-DD; default today")] = None,
    branch_id: Annotated[uuid.UUID | None, Query(description="the crews working for it")] = None,
) -> FieldDayOut:
    the_day = day or field_service.today(db)
    states = field_service.day_states(db, the_day, branch_id)
    return FieldDayOut(day=the_day, crews=[CrewDayStateOut.of(state) for state in states])


@router.get(
    "/jobs/{job_id}/photos", summary="A job's site photos, newest first", responses=errors(404)
)
def list_photos(db: DB, _: JobReader, job_id: uuid.UUID) -> list[JobPhotoOut]:
    return [photo_out(photo) for photo in photo_service.of_job(db, job_id)]


@router.post(
    "/jobs/{job_id}/photos",
    status_code=201,
    summary="Upload a site photo (JPEG, PNG, WebP or HEIC, at most 8 MB)",
    description="multipart/form-data: `photo` (the file), optional `caption` and `crew_id` "
    "(required for a crew lead: the crew they lead). The type is read from the file's bytes.",
    responses=errors(404),
)
def upload_photo(
    db: DB,
    principal: Reporter,
    job_id: uuid.UUID,
    photo: Annotated[bytes, File(description="the image")],
    *,
    caption: Annotated[str, Form(max_length=500)] = "",
    crew_id: Annotated[uuid.UUID | None, Form()] = None,
) -> JobPhotoOut:
    stored = photo_service.add(db, principal, job_id, photo, caption=caption, crew_id=crew_id)
    return photo_out(stored)


def photo_out(photo: JobPhoto) -> JobPhotoOut:
    out = JobPhotoOut.model_validate(photo)
    return out.model_copy(update={"url": photo_url(photo.job_id, photo.id)})
