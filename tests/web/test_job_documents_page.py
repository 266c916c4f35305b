"""The job page's Documents and Site photos cards: what each role sees, uploads, the share
toggles and deletes posted from the page (htmx answers with the cards, a plain post goes back
to the job page)."""

from __future__ import annotations

import io
from collections.abc import Callable

import sqlalchemy as sa
from httpx import Response
from sqlalchemy.orm import Session

from roofops.document.service import document_service
from roofops.field.photos import photo_service
from roofops.models import Role
from roofops.models.document import JobDocument
from roofops.models.field import JobPhoto
from tests.factories import make_job
from tests.field.images import PDF, png
from tests.field.world import person
from tests.web.conftest import Browser

HX = {"HX-Request": "true"}
SignIn = Callable[[Role], Browser]


def upload(office: Browser, job_id: object, title: str, name: str, data: bytes) -> Response:
    response: Response = office.client.post(
        f"/jobs/{job_id}/documents",
        data={"csrf_token": office.csrf, "title": title},
        files={"file": (name, data, "application/octet-stream")},
        headers=HX,
    )
    return response


def test_the_job_page_loads_the_cards(sign_in: SignIn, db: Session) -> None:
    job = make_job(db)
    db.commit()
    office = sign_in(Role.OFFICE)

    page = office.client.get(f"/jobs/{job.id}").text
    cards = office.client.get(f"/jobs/{job.id}/documents", headers=HX).text

    assert f'hx-get="/jobs/{job.id}/documents"' in page
    assert 'id="documents-title">Documents</h2>' in cards
    assert 'id="no-documents"' in cards
    assert 'id="document-upload"' in cards
    assert 'id="no-photos"' in cards


def test_an_upload_from_the_page_shares_and_deletes(sign_in: SignIn, db: Session) -> None:
    job = make_job(db)
    db.commit()
    office = sign_in(Role.OFFICE)

    added = upload(office, job.id, "Signed contract", "contract.pdf", PDF)
    [document] = db.scalars(sa.select(JobDocument).where(JobDocument.job_id == job.id)).all()
    shared = office.post(f"/jobs/{job.id}/documents/{document.id}/share", {"shared": "1"}, HX)
    db.refresh(document)
    shared_flag = document.shared_with_customer
    unshared = office.post(f"/jobs/{job.id}/documents/{document.id}/share", {}, HX)
    db.refresh(document)
    unshared_flag = document.shared_with_customer
    deleted = office.post(f"/jobs/{job.id}/documents/{document.id}/delete")

    assert added.status_code == 200, added.text
    assert "Document added; it is not shared yet." in added.text
    assert f'href="/api/v1/jobs/{job.id}/documents/{document.id}"' in added.text
    assert "Signed contract" in added.text
    assert shared.status_code == 200
    assert "Document shared: the customer sees it in the portal." in shared.text
    assert (shared_flag, unshared_flag) == (True, False)
    assert "no longer shared" in unshared.text
    assert (deleted.status_code, deleted.headers["location"]) == (303, f"/jobs/{job.id}#documents")
    assert db.scalars(sa.select(JobDocument).where(JobDocument.job_id == job.id)).all() == []


def test_a_refused_upload_says_why_and_keeps_the_title(sign_in: SignIn, db: Session) -> None:
    job = make_job(db)
    db.commit()
    office = sign_in(Role.OFFICE)

    program = upload(office, job.id, "Warranty", "warranty.pdf", b"MZ\x90\x00" + b"\x00" * 60)
    untitled = upload(office, job.id, "  ", "warranty.pdf", PDF)

    assert program.status_code == 415
    assert 'id="sharing-error"' in program.text
    assert "PDF, JPEG, PNG, WebP or HEIC" in program.text
    assert 'value="Warranty"' in program.text
    assert untitled.status_code == 422
    assert "Give the document a title" in untitled.text
    assert db.scalars(sa.select(JobDocument)).all() == []


def test_a_photo_is_shared_from_the_page(sign_in: SignIn, db: Session) -> None:
    job = make_job(db)
    photo = photo_service.add(db, person(db, Role.DISPATCHER), job.id, png(), caption="Ridge")
    db.commit()
    office = sign_in(Role.OFFICE)

    shared = office.post(f"/jobs/{job.id}/photos/{photo.id}/share", {"shared": "1"}, HX)

    assert shared.status_code == 200, shared.text
    assert "Photo shared" in shared.text
    assert f'src="/jobs/{job.id}/photos/{photo.id}"' in shared.text
    assert db.scalar(sa.select(JobPhoto.shared_with_customer)) is True


def test_others_see_a_shared_badge_and_cannot_change_it(sign_in: SignIn, db: Session) -> None:
    job, other_job = make_job(db), make_job(db)
    office = person(db, Role.OFFICE)
    document = document_service.add(
        db, office, job.id, io.BytesIO(PDF), title="Permit", filename="permit.pdf"
    )
    document_service.update(db, office, job.id, document.id, shared=True)
    photo = photo_service.add(db, person(db, Role.DISPATCHER), job.id, png())
    db.commit()

    for role in (Role.CREW_LEAD, Role.VIEWER):
        someone = sign_in(role)
        cards = someone.client.get(f"/jobs/{job.id}/documents", headers=HX).text
        assert "Permit" in cards
        assert '<span class="status-pill ok">Shared</span>' in cards
        assert 'type="checkbox"' not in cards
        assert 'id="document-upload"' not in cards
        share = f"/jobs/{job.id}/photos/{photo.id}/share"
        assert someone.post(share, {"shared": "1"}, HX).status_code == 403
        delete = f"/jobs/{job.id}/documents/{document.id}/delete"
        assert someone.post(delete, {}, HX).status_code == 403
    manager = sign_in(Role.ADMIN)
    wrong_job = f"/jobs/{other_job.id}/documents/{document.id}/share"
    assert manager.post(wrong_job, {"shared": ""}, HX).status_code == 404
    db.refresh(document)
    assert document.shared_with_customer is True
