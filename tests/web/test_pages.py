"""Page routes through TestClient: sign-in, CSRF, roles, headers, and no secrets on pages."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from roofops.auth.service import auth_service
from roofops.config import Settings
from roofops.models import JobStage, Role
from roofops.web.routes.auth import safe_next
from tests.factories import make_job, make_user
from tests.web.conftest import PASSWORD, Browser, csrf_from, login, price_grid

PAGES = (
    "/jobs",
    "/command-center",
    "/profit",
    "/finance",
    "/dispatch",
    "/forecast",
    "/settings",
    "/docs",
)
UNSAFE = (
    "/logout",
    "/settings/company",
    "/settings/prices",
    "/settings/users",
    "/settings/tokens",
)


@pytest.mark.parametrize("path", PAGES)
def test_pages_redirect_to_login_without_a_session(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next={path}"


def test_htmx_request_without_session_redirects_the_whole_page(client: TestClient) -> None:
    response = client.get("/jobs", headers={"HX-Request": "true"}, follow_redirects=False)
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/login"


def test_openapi_needs_a_principal(client: TestClient, api: object) -> None:
    assert client.get("/openapi.json").status_code == 401
    reader = api.as_role(Role.VIEWER)  # type: ignore[attr-defined]
    assert "paths" in reader.get("/openapi.json").json()


@pytest.mark.parametrize("path", UNSAFE)
def test_unsafe_requests_need_the_csrf_token(sign_in: Callable[[Role], Browser], path: str) -> None:
    browser = sign_in(Role.ADMIN)
    response = browser.client.post(path, data={"name": "x"}, follow_redirects=False)
    assert response.status_code == 403
    assert "CSRF" in response.text


def test_move_stage_needs_the_csrf_token(sign_in: Callable[[Role], Browser], db: Session) -> None:
    browser = sign_in(Role.OFFICE)
    job = make_job(db)
    db.commit()
    response = browser.client.post(f"/jobs/{job.id}/stage", data={"stage": "inspection"})
    assert response.status_code == 403


def test_login_sets_a_hardened_session_cookie(client: TestClient, db: Session) -> None:
    user = make_user(db, password=PASSWORD)
    db.commit()
    response = login(client, user.email, PASSWORD, "/settings")
    assert response.status_code == 303
    assert response.headers["location"] == "/settings"
    cookie = _set_cookie(response.headers.get_list("set-cookie"), "roofops_session")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Path=/" in cookie
    assert "Max-Age=43200" in cookie
    assert "Secure" not in cookie  # the test settings serve plain http


def test_session_cookie_is_secure_when_configured(
    settings: Settings, session_maker: object, db: Session
) -> None:
    from roofops.app import create_app

    secure = settings.model_copy(update={"session_cookie_secure": True})
    app = create_app(secure, session_maker, run_background=False)  # type: ignore[arg-type]
    user = make_user(db, password=PASSWORD)
    db.commit()
    with TestClient(app, base_url="https://testserver") as client:
        response = login(client, user.email, PASSWORD)
    assert "Secure" in _set_cookie(response.headers.get_list("set-cookie"), "roofops_session")


def _set_cookie(headers: list[str], name: str) -> str:
    return next(header for header in headers if header.startswith(f"{name}="))


def test_wrong_password_is_refused_on_the_form(client: TestClient, db: Session) -> None:
    user = make_user(db, password=PASSWORD)
    db.commit()
    response = login(client, user.email, "not the password")
    assert response.status_code == 401
    assert "Wrong e-mail or password." in response.text
    assert "roofops_session" not in response.headers.get("set-cookie", "")


def test_sixth_failure_in_a_row_is_throttled(client: TestClient, db: Session) -> None:
    user = make_user(db, password=PASSWORD)
    db.commit()
    statuses = [login(client, user.email, "wrong guess").status_code for _ in range(6)]
    assert statuses == [401] * 5 + [429]
    throttled = login(client, user.email, PASSWORD)
    assert throttled.status_code == 429
    assert int(throttled.headers["Retry-After"]) > 0
    assert "Too many failed sign-ins" in throttled.text


def test_login_form_without_matching_csrf_cookie_is_refused(
    client: TestClient, db: Session
) -> None:
    user = make_user(db, password=PASSWORD)
    db.commit()
    form = {"email": user.email, "password": PASSWORD, "csrf_token": "forged"}
    response = client.post("/login", data=form, follow_redirects=False)
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/jobs?stage=lead", "/jobs?stage=lead"),
        ("//evil.example/x", "/jobs"),
        ("https://evil.example/", "/jobs"),
        ("/\\evil.example", "/jobs"),
        ("javascript:alert(1)", "/jobs"),
        ("/jobs\r\nSet-Cookie: x=1", "/jobs"),
        ("", "/jobs"),
    ],
)
def test_next_only_allows_local_paths(target: str, expected: str) -> None:
    assert safe_next(target) == expected


def test_open_redirect_is_refused_at_sign_in(client: TestClient, db: Session) -> None:
    user = make_user(db, password=PASSWORD)
    db.commit()
    response = login(client, user.email, PASSWORD, "//evil.example/")
    assert response.headers["location"] == "/jobs"


def test_logout_ends_the_server_session(sign_in: Callable[[Role], Browser]) -> None:
    browser = sign_in(Role.VIEWER)
    assert browser.post("/logout").headers["location"] == "/login"
    assert browser.client.get("/jobs", follow_redirects=False).status_code == 303


@pytest.mark.parametrize("path", ["/login", *PAGES])
def test_pages_carry_security_headers(sign_in: Callable[[Role], Browser], path: str) -> None:
    # An admin may open every page (Profit is closed to viewers) and sees the most markup.
    response = sign_in(Role.ADMIN).client.get(path)
    assert response.status_code == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", response.text), "inline script"
    assert " style=" not in response.text
    assert not re.search(r"\son[a-z]+=", response.text), "inline event handler"


def test_viewer_sees_no_admin_forms_and_cannot_submit_them(
    sign_in: Callable[[Role], Browser],
) -> None:
    browser = sign_in(Role.VIEWER)
    page = browser.client.get("/settings").text
    assert 'action="/settings/company"' not in page
    assert 'action="/settings/users"' not in page
    assert 'action="/settings/prices"' not in page
    for path in ("/settings/company", "/settings/users", "/settings/prices"):
        assert browser.post(path, {"name": "Evil", "email": "x@example.com"}).status_code == 403


def test_viewer_cannot_move_stages(sign_in: Callable[[Role], Browser], db: Session) -> None:
    browser = sign_in(Role.VIEWER)
    job = make_job(db)
    db.commit()
    assert 'id="move-form"' not in browser.client.get(f"/jobs/{job.id}").text
    assert browser.post(f"/jobs/{job.id}/stage", {"stage": "inspection"}).status_code == 403


def test_admin_edits_company_and_prices(sign_in: Callable[[Role], Browser]) -> None:
    browser = sign_in(Role.ADMIN)
    company = {"name": "Peak Roofing", "time_zone": "America/Chicago", "currency": "usd"}
    response = browser.post("/settings/company", company)
    assert response.headers["location"] == "/settings?saved=company#company"
    prices = price_grid(price__reroof__metal="650.50")
    assert browser.post("/settings/prices", prices).status_code == 303
    page = browser.client.get("/settings").text
    assert 'value="Peak Roofing"' in page
    assert 'value="650.50"' in page


def test_bad_settings_are_explained_in_place(sign_in: Callable[[Role], Browser]) -> None:
    browser = sign_in(Role.ADMIN)
    response = browser.post("/settings/company", {"name": "X", "time_zone": "Mars/Base"})
    assert response.status_code == 422
    assert "not an IANA time zone" in response.text
    response = browser.post("/settings/prices", price_grid(price__repair__tile="lots"))
    assert response.status_code == 422
    assert "Repair / Tile" in response.text


def test_new_user_password_is_shown_once(sign_in: Callable[[Role], Browser]) -> None:
    browser = sign_in(Role.ADMIN)
    form = {"email": "new.person@example.com", "full_name": "New Person", "role": "office"}
    response = browser.post("/settings/users", form)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    password = re.search(r"<code data-reveal>([^<]+)</code>", response.text)
    assert password
    later = browser.client.get("/settings").text
    assert "new.person@example.com" in later
    assert password.group(1) not in later
    assert browser.post("/settings/users", form).status_code == 409


def test_api_token_is_shown_once_and_can_be_revoked(
    sign_in: Callable[[Role], Browser], db: Session
) -> None:
    browser = sign_in(Role.VIEWER)
    response = browser.post("/settings/tokens", {"name": "reporting"})
    raw = re.search(r"<code data-reveal>(rfo_[^<]+)</code>", response.text)
    assert raw
    assert auth_service.api_token_access(db, raw.group(1)) is not None
    page = browser.client.get("/settings").text
    assert raw.group(1) not in page
    token_id = re.search(r"/settings/tokens/([0-9a-f-]+)/revoke", page)
    assert token_id
    assert browser.post(f"/settings/tokens/{token_id.group(1)}/revoke").status_code == 303
    db.expire_all()
    assert auth_service.api_token_access(db, raw.group(1)) is None


def test_someone_elses_token_cannot_be_revoked(
    sign_in: Callable[[Role], Browser], db: Session
) -> None:
    other = make_user(db)
    token = auth_service.create_api_token(db, user_id=other.id, name="theirs")
    db.commit()
    browser = sign_in(Role.ADMIN)
    response = browser.post(f"/settings/tokens/{token.token.id}/revoke")
    assert response.status_code == 404


def test_pages_never_show_hashes_or_session_tokens(
    sign_in: Callable[[Role], Browser], db: Session
) -> None:
    browser = sign_in(Role.ADMIN)
    browser.post("/settings/tokens", {"name": "mine"})
    session_token = browser.client.cookies["roofops_session"]
    secrets = [session_token, "$argon2", browser.user.password_hash]
    secrets += [t.token_hash for t in auth_service.list_api_tokens(db, user_id=browser.user.id)]
    make_job(db)
    db.commit()
    for path in (*PAGES, "/jobs?q=T"):
        body = browser.client.get(path).text
        assert not [secret for secret in secrets if secret in body], path


def test_jobs_list_filters_and_returns_a_fragment_for_htmx(
    sign_in: Callable[[Role], Browser], db: Session
) -> None:
    browser = sign_in(Role.VIEWER)
    make_job(db, number="ZZ-1", stage=JobStage.SCHEDULED)
    make_job(db, number="ZZ-2", stage=JobStage.LEAD)
    db.commit()
    page = browser.client.get("/jobs?q=ZZ-&stage=scheduled&sort=number&job_type=bogus").text
    assert "ZZ-1" in page
    assert "ZZ-2" not in page
    fragment = browser.client.get("/jobs?q=ZZ-", headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<div id="jobs-results"')
    assert fragment.headers["vary"] == "HX-Request"
    restore = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    assert "<html" in browser.client.get("/jobs", headers=restore).text


def test_moving_a_stage_updates_the_timeline_or_explains_the_refusal(
    sign_in: Callable[[Role], Browser], db: Session
) -> None:
    browser = sign_in(Role.CREW_LEAD)
    job = make_job(db, stage=JobStage.SCHEDULED)
    db.commit()
    hx = {"HX-Request": "true"}
    form = {"stage": "materials_ordered", "reason": "  "}
    refused = browser.post(f"/jobs/{job.id}/stage", form, headers=hx)
    assert refused.status_code == 409
    assert "Moving a job back needs a reason." in refused.text
    assert '<option value="materials_ordered" selected>' in refused.text
    moved = browser.post(f"/jobs/{job.id}/stage", {"stage": "in_production"}, headers=hx)
    assert moved.status_code == 200
    assert 'hx-swap-oob="true"' in moved.text
    assert moved.text.count("<li>") == 2
    plain = browser.post(f"/jobs/{job.id}/stage", {"stage": "completed"})
    assert plain.headers["location"] == f"/jobs/{job.id}"


def test_errors_render_inside_the_layout_or_as_a_fragment(
    sign_in: Callable[[Role], Browser], app: FastAPI
) -> None:
    browser = sign_in(Role.VIEWER)
    missing = "/jobs/00000000-0000-0000-0000-000000000000"
    page = browser.client.get(missing)
    assert page.status_code == 404
    assert 'class="mainnav"' in page.text
    fragment = browser.client.get(missing, headers={"HX-Request": "true"})
    assert fragment.text.strip().startswith('<div class="alert alert-error"')


def test_csrf_token_is_on_the_body_for_htmx(sign_in: Callable[[Role], Browser]) -> None:
    browser = sign_in(Role.OFFICE)
    page = browser.client.get("/jobs").text
    assert f'hx-headers=\'{{"X-CSRF-Token": "{browser.csrf}"}}\'' in page
    assert csrf_from(page) == browser.csrf


def test_a_job_in_an_unmapped_crm_status_says_so(
    sign_in: Callable[[Role], Browser], db: Session
) -> None:
    job = make_job(db)
    job.unmapped_crm_status = "Waiting on HOA"
    db.commit()
    browser = sign_in(Role.OFFICE)

    listed = browser.client.get("/jobs").text
    page = browser.client.get(f"/jobs/{job.id}").text

    for html in (listed, page):
        assert "Unmapped: Waiting on HOA" in html
        assert 'href="/settings/integrations#status-map"' in html
