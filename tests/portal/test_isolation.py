"""A homeowner reads their own job and nothing else: another customer's ids, guessed ids,
drafts, voided invoices and unshared files are all "not found"; signed out is the sign-in page;
the office's own sign-in opens nothing here; and no portal route is left unguarded."""

from __future__ import annotations

import uuid

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from roofops.auth.permissions import PUBLIC_ROUTES
from roofops.auth.service import auth_service
from roofops.models import Role
from tests.auth.test_route_permissions import app_routes
from tests.factories import make_user
from tests.portal.homeowners import Homeowner, homeowner
from tests.portal.signed_in import sign_in_to_portal
from tests.web.conftest import PASSWORD, login


@pytest.fixture
def alice(db: Session) -> Homeowner:
    return homeowner(db, "Alice Anders")


@pytest.fixture
def bob(db: Session) -> Homeowner:
    return homeowner(db, "Bob Brandt")


def _message(client: TestClient, job_id: uuid.UUID, csrf: str | None) -> int:
    form = {"message": "Hello", **({"csrf_token": csrf} if csrf else {})}
    response = client.post(f"/portal/jobs/{job_id}/messages", data=form, follow_redirects=False)
    return response.status_code


def test_signed_out_pages_go_to_sign_in_and_a_message_is_refused(
    client: TestClient, alice: Homeowner
) -> None:
    for url in ["/portal/", *alice.urls()]:
        response = client.get(url, follow_redirects=False)
        assert (url, response.status_code) == (url, 303)
        assert response.headers["location"] == "/portal/sign-in"
    assert _message(client, alice.job.id, None) == 401


def test_portal_without_slash_redirects_home(client: TestClient) -> None:
    response = client.get("/portal", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/portal/")


def test_another_customers_ids_are_not_found_and_show_nothing_of_them(
    client: TestClient, db: Session, alice: Homeowner, bob: Homeowner
) -> None:
    csrf = sign_in_to_portal(client, db, bob.customer_id)

    mixed = [  # Alice's ids alone, and Alice's ids under Bob's own job
        *alice.urls(),
        f"/portal/jobs/{bob.job.id}/invoices/{alice.issued.id}.pdf",
        f"/portal/jobs/{bob.job.id}/photos/{alice.photo.id}",
        f"/portal/jobs/{bob.job.id}/documents/{alice.document.id}",
    ]
    for url in mixed:
        response = client.get(url)
        assert (url, response.status_code) == (url, 404)
        assert "Alice" not in response.text
        assert alice.job.number not in response.text
    assert _message(client, alice.job.id, csrf) == 404
    assert "Alice" not in client.get("/portal/").text


def test_the_same_urls_open_for_their_owner(
    client: TestClient, db: Session, alice: Homeowner
) -> None:
    sign_in_to_portal(client, db, alice.customer_id)

    for url in alice.urls():
        assert (url, client.get(url).status_code) == (url, 200)


def test_guessed_ids_are_not_found(client: TestClient, db: Session, alice: Homeowner) -> None:
    sign_in_to_portal(client, db, alice.customer_id)
    base = f"/portal/jobs/{alice.job.id}"
    guesses = [
        f"/portal/jobs/{uuid.uuid4()}",
        f"{base}/invoices/{uuid.uuid4()}.pdf",
        f"{base}/photos/{uuid.uuid4()}",
        f"{base}/documents/{uuid.uuid4()}",
    ]
    for url in guesses:
        assert (url, client.get(url).status_code) == (url, 404)


def test_drafts_voided_invoices_and_unshared_files_are_not_found(
    client: TestClient, db: Session, alice: Homeowner
) -> None:
    sign_in_to_portal(client, db, alice.customer_id)
    base = f"/portal/jobs/{alice.job.id}"
    hidden = [
        f"{base}/invoices/{alice.draft.id}.pdf",
        f"{base}/invoices/{alice.void.id}.pdf",
        f"{base}/photos/{alice.hidden_photo.id}",
        f"{base}/documents/{alice.hidden_document.id}",
    ]
    for url in hidden:
        assert (url, client.get(url).status_code) == (url, 404)


def test_an_archived_job_is_not_found(client: TestClient, db: Session, alice: Homeowner) -> None:
    alice.job.archived_at = alice.job.stage_changed_at
    sign_in_to_portal(client, db, alice.customer_id)

    assert client.get(f"/portal/jobs/{alice.job.id}").status_code == 404
    assert alice.job.number not in client.get("/portal/").text


def test_an_office_session_or_api_token_opens_nothing_in_the_portal(
    client: TestClient, db: Session, alice: Homeowner
) -> None:
    user = make_user(db, role=Role.ADMIN, password=PASSWORD)
    token = auth_service.create_api_token(db, user_id=user.id, name="probe").raw_token
    db.commit()
    assert login(client, user.email, PASSWORD).status_code == 303
    bearer = {"Authorization": f"Bearer {token}"}

    for url in ["/portal/", *alice.urls()]:
        for headers in ({}, bearer):
            response = client.get(url, headers=headers, follow_redirects=False)
            assert (url, response.status_code) == (url, 303)
    response = client.post(
        f"/portal/jobs/{alice.job.id}/messages", data={"message": "hi"}, headers=bearer
    )
    assert response.status_code == 401


def test_every_portal_route_is_public_or_needs_a_signed_in_customer(app: FastAPI) -> None:
    portal = [route for route in app_routes(app) if route.path.startswith("/portal")]
    unguarded = [r.key for r in portal if not r.portal and r.key not in PUBLIC_ROUTES]

    assert unguarded == []
    assert any(r.key == "POST /portal/jobs/{job_id}/messages" and r.portal for r in portal)


def test_the_route_walk_catches_a_new_unguarded_portal_route(app: FastAPI) -> None:
    @app.get("/portal/jobs/{job_id}/leak")
    def leak(job_id: uuid.UUID) -> dict[str, str]:
        return {}

    portal = [route for route in app_routes(app) if route.path.startswith("/portal")]
    assert [r.key for r in portal if not r.portal and r.key not in PUBLIC_ROUTES] == [
        "GET /portal/jobs/{job_id}/leak"
    ]
