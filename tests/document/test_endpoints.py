"""The documents API: upload (type by the bytes, size limit), list, download, rename, share,
delete; sharing a site photo; who may do which; another job's ids are 404."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from httpx import Response
from sqlalchemy.orm import Session

from roofops.document.service import MAX_DOCUMENT_BYTES
from roofops.field.photos import photo_service
from roofops.models import AuditLog, Role
from roofops.models.field import JobPhoto
from tests.factories import ApiClient, make_job
from tests.field.images import PDF, png
from tests.field.world import person

EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


def documents_url(job_id: uuid.UUID) -> str:
    return f"/api/v1/jobs/{job_id}/documents"


def upload(
    client: ApiClient, job_id: uuid.UUID, name: str, data: bytes, title: str = "Contract"
) -> Response:
    return client.post(
        documents_url(job_id),
        files={"file": (name, data, "application/pdf")},
        data={"title": title},
    )


def actions(db: Session, entity_id: object) -> list[str]:
    rows = db.scalars(
        sa.select(AuditLog.action)
        .where(AuditLog.entity_id == str(entity_id))
        .order_by(AuditLog.occurred_at, AuditLog.id)
    )
    return list(rows)


def site_photo(db: Session, job_id: uuid.UUID) -> JobPhoto:
    return photo_service.add(db, person(db, Role.DISPATCHER), job_id, png())


def test_upload_list_download_share_and_delete(api: ApiClient, db: Session) -> None:
    job = make_job(db)
    office, viewer = api.as_role(Role.OFFICE), api.as_role(Role.VIEWER)

    uploaded = upload(office, job.id, "../../Signed: contract*.pdf", PDF, "  Signed  contract ")
    assert uploaded.status_code == 201, uploaded.text
    document = uploaded.json()
    assert (document["title"], document["filename"]) == (
        "Signed contract",
        "Signed_ contract.pdf",
    )
    assert (document["content_type"], document["byte_size"]) == ("application/pdf", len(PDF))
    assert document["shared_with_customer"] is False
    url = document["url"]
    assert url == f"{documents_url(job.id)}/{document['id']}"

    listed = viewer.get(documents_url(job.id))
    assert [d["id"] for d in listed.json()] == [document["id"]]
    downloaded = viewer.get(url)
    assert downloaded.status_code == 200
    assert downloaded.content == PDF
    assert downloaded.headers["content-type"] == "application/pdf"
    assert downloaded.headers["content-disposition"].startswith(
        'attachment; filename="Signed_ contract.pdf"'
    )
    assert downloaded.headers["x-content-type-options"] == "nosniff"

    shared = office.patch(url, json={"shared_with_customer": True, "title": "Contract (signed)"})
    assert shared.status_code == 200, shared.text
    assert (shared.json()["shared_with_customer"], shared.json()["title"]) == (
        True,
        "Contract (signed)",
    )
    again = office.patch(url, json={"shared_with_customer": True})
    assert again.status_code == 200
    unshared = office.patch(url, json={"shared_with_customer": False})
    assert unshared.json()["shared_with_customer"] is False

    deleted = office.delete(url)
    assert deleted.status_code == 204
    assert viewer.get(url).status_code == 404
    assert viewer.get(documents_url(job.id)).json() == []
    assert actions(db, document["id"]) == [
        "document.created",
        "document.updated",
        "document.shared",
        "document.unshared",
        "document.deleted",
    ]


def test_the_type_is_read_from_the_bytes_not_the_name(api: ApiClient, db: Session) -> None:
    job = make_job(db)
    office = api.as_role(Role.OFFICE)

    image = upload(office, job.id, "contract.pdf", png())
    program = upload(office, job.id, "invoice.pdf", EXE)
    empty = upload(office, job.id, "empty.pdf", b"")

    assert image.status_code == 201, image.text
    assert (image.json()["content_type"], image.json()["filename"]) == ("image/png", "contract.png")
    assert office.get(image.json()["url"]).headers["content-type"] == "image/png"
    assert program.status_code == 415
    assert program.json()["error"]["code"] == "unsupported_media_type"
    assert "PDF, JPEG, PNG, WebP or HEIC" in program.json()["error"]["message"]
    assert empty.status_code == 422
    assert [d["id"] for d in office.get(documents_url(job.id)).json()] == [image.json()["id"]]


def test_a_file_over_15_mb_is_refused_with_the_limit(api: ApiClient, db: Session) -> None:
    """15 MB exactly passes the app's multipart body limit (max_upload_bytes) and is stored."""
    job = make_job(db)
    office = api.as_role(Role.OFFICE)

    too_large = upload(office, job.id, "scan.pdf", PDF + b"\x00" * MAX_DOCUMENT_BYTES)
    just_fits = upload(office, job.id, "scan.pdf", PDF + b"\x00" * (MAX_DOCUMENT_BYTES - len(PDF)))

    assert too_large.status_code == 413
    assert "larger than the 15 MB limit" in too_large.json()["error"]["message"]
    assert just_fits.status_code == 201, just_fits.text
    assert just_fits.json()["byte_size"] == MAX_DOCUMENT_BYTES


def test_a_title_is_required_and_short(api: ApiClient, db: Session) -> None:
    job = make_job(db)
    office = api.as_role(Role.OFFICE)

    blank = upload(office, job.id, "a.pdf", PDF, "   ")
    long = upload(office, job.id, "a.pdf", PDF, "x" * 201)
    missing = office.post(documents_url(job.id), files={"file": ("a.pdf", PDF)})

    assert blank.status_code == 422
    assert "give the document a title" in blank.json()["error"]["message"]
    assert long.status_code == 422
    assert missing.status_code == 422


def test_crew_leads_and_viewers_cannot_upload_or_share(api: ApiClient, db: Session) -> None:
    job = make_job(db)
    document = upload(api.as_role(Role.ADMIN), job.id, "a.pdf", PDF).json()
    photo = site_photo(db, job.id)
    db.commit()

    for role in (Role.CREW_LEAD, Role.VIEWER, Role.DISPATCHER, Role.FINANCE):
        someone = api.as_role(role)
        assert upload(someone, job.id, "b.pdf", PDF).status_code == 403, role
        assert (
            someone.patch(document["url"], json={"shared_with_customer": True}).status_code == 403
        )
        assert someone.delete(document["url"]).status_code == 403
        photo_url = f"/api/v1/jobs/{job.id}/photos/{photo.id}"
        assert someone.patch(photo_url, json={"shared_with_customer": True}).status_code == 403
        assert someone.get(document["url"]).status_code == 200  # reading needs view_jobs only
    db.refresh(photo)
    assert photo.shared_with_customer is False


def test_a_photo_is_shared_and_unshared(api: ApiClient, db: Session) -> None:
    job = make_job(db)
    photo = site_photo(db, job.id)
    office = api.as_role(Role.OFFICE)
    url = f"/api/v1/jobs/{job.id}/photos/{photo.id}"

    shared = office.patch(url, json={"shared_with_customer": True})
    listed = office.get(f"/api/v1/jobs/{job.id}/photos").json()
    not_a_flag = office.patch(url, json={"shared_with_customer": "yes"})
    unshared = office.patch(url, json={"shared_with_customer": False})

    assert shared.status_code == 200, shared.text
    assert shared.json()["shared_with_customer"] is True
    assert shared.json()["url"] == f"/jobs/{job.id}/photos/{photo.id}"
    assert [p["shared_with_customer"] for p in listed] == [True]
    assert not_a_flag.status_code == 422
    assert unshared.json()["shared_with_customer"] is False
    assert actions(db, photo.id) == ["photo.shared", "photo.unshared"]


def test_another_jobs_ids_are_not_found(api: ApiClient, db: Session) -> None:
    job, other = make_job(db), make_job(db)
    office = api.as_role(Role.OFFICE)
    document = upload(office, job.id, "a.pdf", PDF).json()
    photo = site_photo(db, job.id)
    db.commit()
    wrong_document = f"{documents_url(other.id)}/{document['id']}"
    wrong_photo = f"/api/v1/jobs/{other.id}/photos/{photo.id}"

    assert office.get(wrong_document).status_code == 404
    assert office.patch(wrong_document, json={"shared_with_customer": True}).status_code == 404
    assert office.delete(wrong_document).status_code == 404
    assert office.patch(wrong_photo, json={"shared_with_customer": True}).status_code == 404
    assert office.get(documents_url(uuid.uuid4())).status_code == 404
    assert upload(office, uuid.uuid4(), "a.pdf", PDF).status_code == 404
    assert office.get(documents_url(other.id)).json() == []
    db.refresh(photo)
    assert photo.shared_with_customer is False
