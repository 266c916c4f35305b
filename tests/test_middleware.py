"""Bad input at the edge gets a clear 4xx in the envelope (or the error page) and changes nothing:
oversized and chunked bodies, NUL characters, deep JSON, huge page numbers, wrong methods.
Every 500 carries the security headers; private answers are never cached."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from roofops.app import create_app
from roofops.config import Settings
from roofops.models import Customer, Role
from roofops.models.company import PriceListEntry
from tests.factories import ApiClient

JSON_LIMIT = 4096
CUSTOMERS = "/api/v1/customers"


def customer_count(db: Session) -> int:
    db.expire_all()
    return db.query(Customer).count()


@pytest.fixture
def small_app(settings: Settings, session_maker: sessionmaker[Session]) -> FastAPI:
    limited = settings.model_copy(
        update={"max_json_body_bytes": JSON_LIMIT, "max_upload_bytes": 4 * JSON_LIMIT}
    )
    return create_app(limited, session_maker, run_background=False)


@pytest.fixture
def small(small_app: FastAPI, api: ApiClient) -> Iterator[ApiClient]:
    with TestClient(small_app) as client:
        yield ApiClient(client, api.db).as_role(Role.ADMIN)


def _chunks(total: int, size: int = 1024) -> Iterator[bytes]:
    for _ in range(total // size):
        yield b"x" * size


def test_a_declared_oversized_body_is_refused_unread_before_authentication(
    client: TestClient, db: Session
) -> None:
    before = customer_count(db)
    body = b"{" + b" " * (2 * 1024 * 1024) + b"}"  # twice the default 1 MiB
    response = client.post(CUSTOMERS, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "content_too_large"
    assert response.headers["x-frame-options"] == "DENY"
    assert customer_count(db) == before


def test_a_chunked_body_is_counted_as_it_streams(small: ApiClient, db: Session) -> None:
    before = customer_count(db)
    response = small.post(
        CUSTOMERS,
        content=_chunks(8 * JSON_LIMIT),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert "4096 bytes" in response.json()["error"]["message"]
    assert customer_count(db) == before


def test_an_oversized_form_gets_the_error_page(small_app: FastAPI) -> None:
    with TestClient(small_app) as client:
        response = client.post("/login", data={"email": "x" * 2 * JSON_LIMIT, "password": "p"})
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("text/html")
    assert "larger than 4096 bytes" in response.text


def test_uploads_have_their_own_larger_limit(small: ApiClient) -> None:
    files = {"file": ("roof.jpg", b"j" * 2 * JSON_LIMIT, "image/jpeg")}
    # Under the upload limit the body is read and the route answers (this one takes no files).
    assert small.post(CUSTOMERS, files=files).status_code == 422
    files = {"file": ("roof.jpg", b"j" * 5 * JSON_LIMIT, "image/jpeg")}
    assert small.post(CUSTOMERS, files=files).status_code == 413


@pytest.mark.parametrize("page", ["9223372036854775807", "99999999999999999999999", "50001"])
def test_huge_page_numbers_are_a_422_not_a_500(api: ApiClient, page: str) -> None:
    response = api.as_role(Role.VIEWER).get("/api/v1/jobs", params={"page": page, "size": 200})
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == "page"


def test_nul_in_a_json_body_is_refused_and_nothing_is_stored(api: ApiClient, db: Session) -> None:
    before = customer_count(db)
    office = api.as_role(Role.OFFICE)
    response = office.post(CUSTOMERS, json={"display_name": "Evil\x00Corp"})
    assert response.status_code == 422
    assert "display_name" in response.json()["error"]["message"]
    assert "NUL" in response.json()["error"]["message"]
    assert customer_count(db) == before


def test_nul_in_a_query_string_is_refused(api: ApiClient) -> None:
    response = api.as_role(Role.OFFICE).get(CUSTOMERS, params={"q": "a\x00b"})
    assert response.status_code == 422
    assert "NUL" in response.json()["error"]["message"]


def test_nul_in_the_sign_in_form_is_refused(client: TestClient) -> None:
    response = client.post("/login", data={"email": "a\x00@example.com", "password": "x"})
    assert response.status_code == 422


def test_deeply_nested_json_is_a_400_before_anything_reads_it(api: ApiClient, db: Session) -> None:
    before = customer_count(db)
    deep = "[" * 5000 + "]" * 5000
    office = api.as_role(Role.OFFICE)
    response = office.post(CUSTOMERS, content=deep, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_json"
    assert "nested deeper than 32" in response.json()["error"]["message"]
    nested: dict[str, Any] = {"display_name": "x"}
    for _ in range(40):
        nested = {"a": nested}
    assert office.post(CUSTOMERS, json=nested).status_code == 400
    assert customer_count(db) == before


def test_malformed_json_is_still_explained_by_the_route(api: ApiClient) -> None:
    response = api.as_role(Role.OFFICE).post(
        CUSTOMERS, content=b'{"display_name": ', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_failed"


@pytest.mark.parametrize(
    ("field", "value"),
    [("is_commercial", "true"), ("is_commercial", 1), ("display_name", 12)],
)
def test_loose_types_are_not_coerced(api: ApiClient, db: Session, field: str, value: Any) -> None:
    before = customer_count(db)
    body = {"display_name": "Kim", field: value}
    response = api.as_role(Role.OFFICE).post(CUSTOMERS, json=body)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["fields"][0]["field"] == field
    assert customer_count(db) == before


def test_crew_numbers_and_flags_are_strict(api: ApiClient) -> None:
    admin = api.as_role(Role.ADMIN)
    branch = admin.post("/api/v1/branches", json={"code": "N1", "name": "North"}).json()
    for bad in ({"capacity_squares_per_day": "20"}, {"is_active": "yes"}, {"home_latitude": "1"}):
        body = {"name": "Crew", "branch_id": branch["id"], **bad}
        response = admin.post("/api/v1/crews", json=body)
        assert response.status_code == 422, (bad, response.text)
    assert admin.get("/api/v1/crews").json()["total"] == 0


def test_money_takes_numbers_and_decimal_strings_but_not_booleans(
    api: ApiClient, db: Session
) -> None:
    admin = api.as_role(Role.ADMIN)
    entry = {"job_type": "reroof", "material": "metal"}
    for price in (True, "12,50", "1e3"):
        body = {"entries": [{**entry, "price_per_square": price}]}
        assert admin.put("/api/v1/company/price-list", json=body).status_code == 422, price
    assert db.query(PriceListEntry).count() == 0
    for price in (650.5, "650.50"):
        body = {"entries": [{**entry, "price_per_square": price}]}
        assert admin.put("/api/v1/company/price-list", json=body).status_code == 200, price


def test_a_wrong_method_names_every_allowed_one(api: ApiClient) -> None:
    response = api.as_role(Role.ADMIN).request("PUT", "/api/v1/users")
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) >= {"GET", "POST"}
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_unknown_paths_answer_in_the_envelope_or_as_a_page(client: TestClient) -> None:
    api_missing = client.get("/api/v1/nothing-here")
    assert api_missing.status_code == 404
    assert api_missing.json()["error"]["code"] == "not_found"
    page_missing = client.get("/nothing-here")
    assert page_missing.status_code == 404
    assert page_missing.headers["content-type"].startswith("text/html")


def test_an_unexpected_error_is_a_500_with_headers_in_one_log_line(
    settings: Settings,
    session_maker: sessionmaker[Session],
    capsys: pytest.CaptureFixture[str],
) -> None:
    app = create_app(settings.model_copy(update={"log_json": True}), session_maker)

    @app.get("/api/v1/boom")
    def boom() -> None:
        raise RuntimeError("kaput\nsecond line")

    capsys.readouterr()
    response = TestClient(app).get("/api/v1/boom")
    logged = [line for line in capsys.readouterr().err.splitlines() if "request.crashed" in line]

    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert "kaput" not in response.text
    assert response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"
    [line] = logged
    record = json.loads(line)
    assert record["path"] == "/api/v1/boom"
    assert "RuntimeError: kaput" in record["exception"]
