"""Sessions and tokens follow the account; sign-in throttling cannot be turned against the owner;
one e-mail rule for the API and the CLI (the CLI half: tests/cli/test_user_email.py)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from roofops.auth.service import auth_service, user_service
from roofops.exceptions import NotAuthenticated, TooManyRequests, ValidationFailed
from roofops.models import Role, User
from tests.factories import ApiClient, make_user

PASSWORD = "correct horse battery staple"
# The same lists drive tests/cli/test_user_email.py: one rule, two doors.
BAD_ADDRESSES = ["nope", "a@b", "a b@example.com", "x@example..com", "a@localhost", "   "]
GOOD_ADDRESSES = ["Pat@Example.com", "admin@corp.local"]


def _credentials(db: Session, user: User) -> tuple[str, str]:
    session = auth_service.sign_in(
        db, email=user.email, password=PASSWORD, ip_address="10.0.0.1", user_agent="test"
    )
    token = auth_service.create_api_token(db, user_id=user.id, name="script")
    db.commit()
    return session.raw_token, token.raw_token


def _still_work(db: Session, session_token: str, api_token: str) -> tuple[bool, bool]:
    db.expire_all()
    by_session = auth_service.principal_from_session_token(db, session_token) is not None
    by_token = auth_service.api_token_access(db, api_token) is not None
    return by_session, by_token


def test_deactivation_ends_sessions_and_tokens_for_good(api: ApiClient, db: Session) -> None:
    admin = api.as_role(Role.ADMIN)
    user = make_user(db, role=Role.OFFICE, password=PASSWORD)
    session_token, api_token = _credentials(db, user)
    assert _still_work(db, session_token, api_token) == (True, True)

    off = admin.patch(f"/api/v1/users/{user.id}", json={"is_active": False})
    assert off.status_code == 200
    assert _still_work(db, session_token, api_token) == (False, False)

    on = admin.patch(f"/api/v1/users/{user.id}", json={"is_active": True})
    assert on.status_code == 200
    assert _still_work(db, session_token, api_token) == (False, False)
    bearer = {"Authorization": f"Bearer {api_token}"}
    assert api.client.get("/api/v1/auth/me", headers=bearer).status_code == 401


def test_other_edits_keep_the_credentials(api: ApiClient, db: Session) -> None:
    user = make_user(db, role=Role.OFFICE, password=PASSWORD)
    session_token, api_token = _credentials(db, user)
    response = api.as_role(Role.ADMIN).patch(
        f"/api/v1/users/{user.id}", json={"full_name": "Renamed", "role": "viewer"}
    )
    assert response.status_code == 200
    assert _still_work(db, session_token, api_token) == (True, True)


def test_a_new_password_ends_sessions_and_tokens(db: Session) -> None:
    user = make_user(db, role=Role.OFFICE, password=PASSWORD)
    session_token, api_token = _credentials(db, user)

    user_service.set_password(db, user.email, "a brand new long password")
    db.commit()

    assert _still_work(db, session_token, api_token) == (False, False)
    assert [t.revoked_at is not None for t in auth_service.list_api_tokens(db, user_id=user.id)]


def _fail(db: Session, email: str, ip: str) -> type[Exception]:
    try:
        auth_service.sign_in(db, email=email, password="wrong guess", ip_address=ip, user_agent="")
    except (NotAuthenticated, TooManyRequests) as refused:
        db.commit()
        return type(refused)
    raise AssertionError("a wrong password signed in")


def _sign_in(db: Session, email: str, ip: str) -> None:
    auth_service.sign_in(db, email=email, password=PASSWORD, ip_address=ip, user_agent="")
    db.commit()


def test_five_failures_lock_only_that_address_out(db: Session) -> None:
    user = make_user(db, password=PASSWORD)
    db.commit()
    outcomes = [_fail(db, user.email, "203.0.113.9") for _ in range(6)]
    assert outcomes == [NotAuthenticated] * 5 + [TooManyRequests]
    with pytest.raises(TooManyRequests):
        _sign_in(db, user.email, "203.0.113.9")  # even the right password, from there
    _sign_in(db, user.email, "198.51.100.7")  # the owner, elsewhere, is not locked out


def test_a_distributed_guess_is_slowed_but_the_owner_still_signs_in(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from roofops.config import get_settings

    monkeypatch.setattr(get_settings(), "login_max_account_failures", 8)
    user = make_user(db, password=PASSWORD)
    db.commit()
    _sign_in(db, user.email, "198.51.100.7")  # the owner's usual address
    attackers = [f"203.0.113.{n}" for n in range(1, 5)]
    outcomes = [_fail(db, user.email, ip) for ip in attackers for _ in range(2)]
    assert outcomes == [NotAuthenticated] * 8
    # Eight failures from four addresses: the account is closed to every new address...
    assert _fail(db, user.email, "192.0.2.1") is TooManyRequests
    with pytest.raises(TooManyRequests):
        _sign_in(db, user.email, "192.0.2.2")
    # ...but not to the address its owner signed in from.
    _sign_in(db, user.email, "198.51.100.7")


def test_the_sign_in_form_refuses_what_no_account_can_have(db: Session) -> None:
    with pytest.raises(ValidationFailed):
        auth_service.sign_in(
            db, email="a\x00@example.com", password="x", ip_address="1.2.3.4", user_agent=""
        )
    with pytest.raises(NotAuthenticated):
        auth_service.sign_in(
            db, email="a" * 300 + "@example.com", password="x", ip_address="1.2.3.4", user_agent=""
        )


@pytest.mark.parametrize("address", BAD_ADDRESSES)
def test_the_api_refuses_bad_addresses(api: ApiClient, db: Session, address: str) -> None:
    response = api.as_role(Role.ADMIN).post(
        "/api/v1/users", json={"email": address, "role": "viewer"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == "email"
    assert user_service.find_by_email(db, address.strip().lower()) is None


@pytest.mark.parametrize("address", GOOD_ADDRESSES)
def test_the_api_accepts_and_normalises(api: ApiClient, address: str) -> None:
    created = api.as_role(Role.ADMIN).post(
        "/api/v1/users", json={"email": address, "role": "viewer"}
    )
    assert created.status_code == 201
    assert created.json()["email"] == address.lower()
