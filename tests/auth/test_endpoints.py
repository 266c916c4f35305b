"""Who am I, my API tokens, and user administration."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roofops.audit.service import audit_service
from roofops.models import ApiToken, Role, User
from tests.factories import ApiClient, make_user


def test_me(api: ApiClient) -> None:
    finance = api.as_role(Role.FINANCE)
    body = finance.get("/api/v1/auth/me").json()
    assert (body["role"], body["actor_type"]) == ("finance", "api_token")
    assert body["user_id"] == str(finance.user.id)  # type: ignore[union-attr]


def test_tokens_are_shown_once_listed_and_revoked(api: ApiClient) -> None:
    viewer = api.as_role(Role.VIEWER)
    created = viewer.post("/api/v1/auth/tokens", json={"name": "script"})
    assert created.status_code == 201
    raw = created.json()["token"]
    assert raw.startswith(created.json()["prefix"])
    listed = viewer.get("/api/v1/auth/tokens").json()["items"]
    assert {t["name"] for t in listed} == {"tests", "script"}
    assert all("token" not in t for t in listed)
    as_script = {"Authorization": f"Bearer {raw}"}
    assert api.client.get("/api/v1/auth/me", headers=as_script).status_code == 200
    assert viewer.delete(f"/api/v1/auth/tokens/{created.json()['id']}").status_code == 204
    assert api.client.get("/api/v1/auth/me", headers=as_script).status_code == 401
    active = viewer.get("/api/v1/auth/tokens", params={"active": "true"}).json()["items"]
    assert [t["name"] for t in active] == ["tests"]


def test_revoking_someone_elses_token_is_404(api: ApiClient) -> None:
    owner = api.as_role(Role.OFFICE)
    token_id = owner.get("/api/v1/auth/tokens").json()["items"][0]["id"]
    assert api.as_role(Role.ADMIN).delete(f"/api/v1/auth/tokens/{token_id}").status_code == 404
    assert owner.get("/api/v1/auth/me").status_code == 200


def test_token_expiry_must_be_future(api: ApiClient) -> None:
    response = api.as_role(Role.OFFICE).post(
        "/api/v1/auth/tokens", json={"name": "x", "expires_at": "2000-01-01T00:00:00Z"}
    )
    assert response.status_code == 422


def test_users_are_admin_only(api: ApiClient) -> None:
    office = api.as_role(Role.OFFICE)
    assert office.get("/api/v1/users").status_code == 403
    assert (
        office.post("/api/v1/users", json={"email": "a@b.co", "role": "viewer"}).status_code == 403
    )
    target = str(office.user.id)  # type: ignore[union-attr]
    assert office.patch(f"/api/v1/users/{target}", json={"role": "admin"}).status_code == 403


def test_create_user_returns_generated_password_once(api: ApiClient) -> None:
    admin = api.as_role(Role.ADMIN)
    generated = admin.post("/api/v1/users", json={"email": "New@Example.com", "role": "office"})
    assert generated.status_code == 201, generated.text
    assert generated.json()["email"] == "new@example.com"
    assert len(generated.json()["password"]) >= 12
    given = admin.post(
        "/api/v1/users",
        json={"email": "given@example.com", "role": "viewer", "password": "a long enough secret"},
    )
    assert given.json()["password"] is None
    assert (
        admin.post("/api/v1/users", json={"email": "new@example.com", "role": "viewer"}).status_code
        == 409
    )
    bad = admin.post("/api/v1/users", json={"email": "nope", "role": "wizard", "password": "short"})
    assert {f["field"] for f in bad.json()["error"]["fields"]} == {"email", "role", "password"}
    listed = admin.get("/api/v1/users", params={"q": "given@", "role": "viewer"}).json()["items"]
    assert [u["email"] for u in listed] == ["given@example.com"]


def test_user_changes_are_audited(api: ApiClient, db: Session) -> None:
    admin = api.as_role(Role.ADMIN)
    user = make_user(db, role=Role.VIEWER)
    db.commit()
    response = admin.patch(
        f"/api/v1/users/{user.id}",
        json={"role": "dispatcher", "is_active": False, "full_name": "Kim"},
    )
    assert response.status_code == 200, response.text
    [row] = audit_service.history(db, "user", user.id)
    assert row.changes == {
        "role": {"old": "viewer", "new": "dispatcher"},
        "is_active": {"old": True, "new": False},
        "full_name": {"old": "Test viewer", "new": "Kim"},
    }
    assert row.actor_id == admin.user.id  # type: ignore[union-attr]


def test_admin_cannot_lock_themselves_out(api: ApiClient, db: Session) -> None:
    admin = api.as_role(Role.ADMIN)
    me = f"/api/v1/users/{admin.user.id}"  # type: ignore[union-attr]
    assert admin.patch(me, json={"is_active": False}).status_code == 409
    assert admin.patch(me, json={"role": "office"}).status_code == 409
    assert admin.patch(me, json={"full_name": "Still me"}).status_code == 200
    stored = db.get(User, admin.user.id)  # type: ignore[union-attr]
    assert stored is not None
    assert stored.role == Role.ADMIN


def test_unknown_user_is_404(api: ApiClient) -> None:
    admin = api.as_role(Role.ADMIN)
    assert admin.patch(f"/api/v1/users/{uuid.uuid4()}", json={"full_name": "x"}).status_code == 404


def test_a_token_use_is_stamped_once_a_minute_by_reads_and_writes(
    api: ApiClient, db: Session
) -> None:
    viewer = api.as_role(Role.VIEWER)

    def last_used() -> datetime | None:
        db.expire_all()
        return db.scalars(sa.select(ApiToken.last_used_at).where(ApiToken.name == "tests")).one()

    assert last_used() is None
    # A GET only reads in its own transaction; the stamp is written beside it and kept.
    assert viewer.get("/api/v1/auth/me").status_code == 200
    first = last_used()
    assert first is not None
    viewer.get("/api/v1/auth/tokens")
    assert last_used() == first
    # A minute on, a write request stamps it inside its own transaction.
    db.execute(sa.update(ApiToken).values(last_used_at=first - timedelta(minutes=2)))
    db.commit()
    assert viewer.post("/api/v1/auth/tokens", json={"name": "script"}).status_code == 201
    stamped = last_used()
    assert stamped is not None
    assert stamped > first - timedelta(minutes=1)
