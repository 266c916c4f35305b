"""Site photos: the type read from the bytes (a renamed PDF is refused), the size limit, who
may upload for which crew, the PHOTO activity, and the bytes served back."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from roofops.exceptions import PermissionDenied, RoofOpsError, ValidationFailed
from roofops.field.images import MAX_PHOTO_BYTES, checked_image_type
from roofops.field.photos import photo_service
from roofops.kit.files import sniff_image_type
from roofops.models import ActivityKind, JobActivity, Role
from tests.factories import make_job
from tests.field.images import HEIC, JPEG, PDF, WEBP, png
from tests.field.world import crew_with_lead, person


@pytest.mark.parametrize(
    ("data", "media_type"),
    [(JPEG, "image/jpeg"), (png(), "image/png"), (WEBP, "image/webp"), (HEIC, "image/heic")],
)
def test_the_type_is_read_from_the_first_bytes(data: bytes, media_type: str) -> None:
    assert sniff_image_type(data) == media_type
    assert checked_image_type(data) == media_type


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        (PDF, 422, "not a photo we can store"),
        (b"GIF89a" + b"\x00" * 20, 422, "JPEG, PNG, WebP or HEIC"),
        (b"", 422, "the photo is empty"),
        (JPEG + b"\x00" * MAX_PHOTO_BYTES, 413, "larger than the 8 MB limit"),
    ],
)
def test_what_is_not_a_storable_photo_is_refused_with_a_reason(
    data: bytes, status: int, message: str
) -> None:
    with pytest.raises(RoofOpsError, match=message) as refused:
        checked_image_type(data)
    assert refused.value.status_code == status


def test_a_photo_is_stored_with_its_activity_and_served_back(db: Session) -> None:
    lead = crew_with_lead(db)
    job = make_job(db)
    image = png()

    photo = photo_service.add(
        db, lead.lead, job.id, image, caption="  north  slope ", crew_id=lead.crew.id
    )
    db.expire_all()

    listed = photo_service.of_job(db, job.id)
    served = photo_service.with_bytes(db, job.id, photo.id)
    activity = db.scalars(sa.select(JobActivity).where(JobActivity.job_id == job.id)).one()
    assert [p.id for p in listed] == [photo.id]
    assert (served.data, served.content_type, served.byte_size) == (image, "image/png", len(image))
    assert (served.caption, served.crew_id, served.shared_with_customer) == (
        "north slope",
        lead.crew.id,
        False,
    )
    assert (activity.kind, activity.body) == (ActivityKind.PHOTO, "Photo: north slope")
    assert activity.data == {"photo_id": str(photo.id)}


def test_a_crew_lead_uploads_for_their_own_crew(db: Session) -> None:
    own, other = crew_with_lead(db), crew_with_lead(db)
    job = make_job(db)

    with pytest.raises(ValidationFailed, match="say which crew"):
        photo_service.add(db, own.lead, job.id, JPEG)
    with pytest.raises(PermissionDenied, match=f"only the lead of {other.crew.name}"):
        photo_service.add(db, own.lead, job.id, JPEG, crew_id=other.crew.id)
    with pytest.raises(PermissionDenied, match="report_field_work"):
        photo_service.add(db, person(db, Role.VIEWER), job.id, JPEG)
    assert photo_service.add(db, person(db, Role.DISPATCHER), job.id, JPEG).crew_id is None


def test_a_photo_is_served_only_under_its_own_job(db: Session) -> None:
    dispatcher = person(db, Role.DISPATCHER)
    job, other_job = make_job(db), make_job(db)
    photo = photo_service.add(db, dispatcher, job.id, JPEG)

    with pytest.raises(RoofOpsError, match="no such photo") as missing:
        photo_service.with_bytes(db, other_job.id, photo.id)
    assert missing.value.status_code == 404
