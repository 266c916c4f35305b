"""The office's portal-link API: send, list, revoke; only admin and office may."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.orm import Session

from roofops.models import Customer, Role
from roofops.portal.links import MAIL_TASK, portal_links
from tests.factories import ApiClient, make_job
from tests.queued import queued_args
from tests.smtp import SmtpServer


def test_the_office_sends_lists_and_revokes_a_link(
    api: ApiClient, db: Session, smtp: SmtpServer
) -> None:
    job = make_job(db)
    office = api.as_role(Role.OFFICE)

    sent = office.post(f"/api/v1/jobs/{job.id}/portal-links", json={})
    assert sent.status_code == 201, sent.text
    body = sent.json()
    assert (body["status"], body["origin"], body["url"]) == ("active", "office", None)
    assert office.user is not None
    assert body["created_by"] == (office.user.full_name or office.user.email)
    assert queued_args(db, MAIL_TASK) == [{"link_id": body["id"]}]

    listed = office.get(f"/api/v1/jobs/{job.id}/portal-links").json()
    assert [(row["id"], row["status"], row["url"]) for row in listed] == [
        (body["id"], "active", None)
    ]

    revoked = office.post(f"/api/v1/portal-links/{body['id']}/revoke")
    assert revoked.status_code == 200
    assert (revoked.json()["status"], revoked.json()["created_by"]) == (
        "revoked",
        body["created_by"],
    )
    again = office.post(f"/api/v1/portal-links/{body['id']}/revoke")
    assert again.status_code == 409


def test_without_sending_the_answer_carries_a_working_url(api: ApiClient, db: Session) -> None:
    job = make_job(db)
    admin = api.as_role(Role.ADMIN)

    created = admin.post(
        f"/api/v1/jobs/{job.id}/portal-links", json={"send": False, "email": "Pat@Home.example"}
    )

    assert created.status_code == 201
    assert created.headers["cache-control"] == "no-store"
    body = created.json()
    assert body["email"] == "pat@home.example"
    token = body["url"].rsplit("/", 1)[1]
    assert portal_links.sign_in(db, token).job_id == job.id
    listed = admin.get(f"/api/v1/jobs/{job.id}/portal-links").json()
    assert [row["url"] for row in listed] == [None]  # shown once, never again
    assert queued_args(db, MAIL_TASK) == []


def test_refusals_are_404_409_and_422(api: ApiClient, db: Session) -> None:
    job = make_job(db)
    office = api.as_role(Role.OFFICE)

    unconfigured = office.post(f"/api/v1/jobs/{job.id}/portal-links", json={})
    unknown_job = office.post(f"/api/v1/jobs/{uuid.uuid4()}/portal-links", json={"send": False})
    unknown_list = office.get(f"/api/v1/jobs/{uuid.uuid4()}/portal-links")
    unknown_link = office.post(f"/api/v1/portal-links/{uuid.uuid4()}/revoke")
    bad_email = office.post(
        f"/api/v1/jobs/{job.id}/portal-links", json={"send": False, "email": "nope"}
    )
    customer = db.get(Customer, job.customer_id)
    assert customer is not None
    customer.email = ""
    db.commit()
    no_email = office.post(f"/api/v1/jobs/{job.id}/portal-links", json={"send": False})

    assert unconfigured.status_code == 409
    assert "mail is not configured" in unconfigured.json()["error"]["message"]
    assert unknown_job.status_code == unknown_list.status_code == unknown_link.status_code == 404
    assert bad_email.status_code == 422
    assert no_email.status_code == 422
    assert "has no e-mail address" in no_email.json()["error"]["message"]


@pytest.mark.parametrize("role", [Role.CREW_LEAD, Role.VIEWER, Role.DISPATCHER, Role.FINANCE])
def test_other_roles_may_not_touch_portal_links(api: ApiClient, db: Session, role: Role) -> None:
    job = make_job(db)
    someone = api.as_role(role)

    assert someone.post(f"/api/v1/jobs/{job.id}/portal-links", json={}).status_code == 403
    assert someone.get(f"/api/v1/jobs/{job.id}/portal-links").status_code == 403
    assert someone.post(f"/api/v1/portal-links/{uuid.uuid4()}/revoke").status_code == 403
