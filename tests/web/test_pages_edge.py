"""The edge as the pages meet it: huge page numbers, NUL characters in forms, and no caching
of private pages (the API side: tests/test_middleware.py)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from roofops.models import Role
from tests.factories import ApiClient, make_job
from tests.web.conftest import Browser


def test_a_huge_page_number_on_a_page_is_a_readable_422(
    sign_in: Callable[[Role], Browser],
) -> None:
    browser = sign_in(Role.ADMIN)
    for path in ("/jobs?page=9223372036854775807", "/profit?page=99999999999999"):
        response = browser.client.get(path)
        assert response.status_code == 422, path
        assert "page must be between 1 and 50000" in response.text.lower()
    # Digits that int() reads but no one types as a page, and a page number thousands of
    # digits long, are not a 500.
    assert browser.client.get("/jobs?page=²").status_code == 200
    assert browser.client.get("/jobs?page=" + "9" * 5000).status_code == 422


def test_nul_in_a_page_form_is_refused_and_nothing_is_saved(
    sign_in: Callable[[Role], Browser], db: Session
) -> None:
    browser = sign_in(Role.ADMIN)
    response = browser.post("/settings/company", {"name": "Peak\x00", "time_zone": "UTC"})
    assert response.status_code == 422
    assert "NUL" in response.text
    assert "Peak" not in browser.client.get("/settings").text
    # A form posted as multipart skips the edge's URL-encoded scan; the form model refuses it.
    job = make_job(db)
    db.commit()
    multipart = {"csrf_token": browser.csrf, "stage": "inspection", "reason": "Tarped\x00"}
    response = browser.client.post(
        f"/jobs/{job.id}/stage", files={key: (None, value) for key, value in multipart.items()}
    )
    assert response.status_code == 422
    assert "Tarped" not in browser.client.get(f"/jobs/{job.id}").text


def test_private_answers_are_never_stored_but_static_files_may_be(
    api: ApiClient, sign_in: Callable[[Role], Browser], db: Session
) -> None:
    make_job(db)
    db.commit()
    assert api.as_role(Role.VIEWER).get("/api/v1/jobs").headers["cache-control"] == "no-store"
    browser = sign_in(Role.ADMIN)
    for path in ("/jobs", "/settings", "/profit/export.csv", "/login"):
        assert browser.client.get(path).headers["cache-control"] == "no-store", path
    static = browser.client.get("/static/css/app.css")
    assert static.status_code == 200
    assert "no-store" not in static.headers.get("cache-control", "")
