"""roofops user: create, set-password, list, token; each secret printed once and usable."""

from __future__ import annotations

import re

import pytest

from roofops.auth.service import auth_service
from roofops.cli.main import app
from roofops.db import session_scope
from roofops.exceptions import NotAuthenticated
from tests.cli.conftest import Cli


def secret_in(output: str, label: str) -> str:
    match = re.search(rf"{label}: (\S+)", output)
    assert match, output
    return match.group(1)


def sign_in(email: str, password: str) -> None:
    with session_scope() as db:
        auth_service.sign_in(
            db, email=email, password=password, ip_address="127.0.0.1", user_agent="cli-test"
        )


def test_create_prints_a_password_that_signs_in(migrated_cli: Cli) -> None:
    output = migrated_cli("user", "create", "Pat@Example.com", "--role", "office", "--name", "Pat")

    assert "Created pat@example.com (office)" in output
    sign_in("pat@example.com", secret_in(output, "password"))


def test_create_reads_the_password_from_stdin(migrated_cli: Cli) -> None:
    output = migrated_cli(
        "user",
        "create",
        "lee@example.com",
        "--role",
        "finance",
        "--password-stdin",
        stdin="a long enough secret\n",
    )

    assert "password:" not in output
    sign_in("lee@example.com", "a long enough secret")


def test_duplicate_user_is_a_clean_error(migrated_cli: Cli) -> None:
    migrated_cli("user", "create", "dup@example.com", "--role", "viewer")

    output = migrated_cli("user", "create", "dup@example.com", "--role", "viewer", code=1)

    assert "a user with e-mail dup@example.com already exists" in output


def test_short_password_and_unknown_role_are_refused(migrated_cli: Cli) -> None:
    short = migrated_cli(
        "user",
        "create",
        "x@example.com",
        "--role",
        "office",
        "--password-stdin",
        stdin="short\n",
        code=1,
    )
    assert "passwords need at least 12 characters" in short
    migrated_cli("user", "create", "y@example.com", "--role", "boss", code=2)


def test_set_password_replaces_the_old_one(migrated_cli: Cli) -> None:
    created = migrated_cli("user", "create", "sam@example.com", "--role", "admin")

    output = migrated_cli("user", "set-password", "sam@example.com")

    sign_in("sam@example.com", secret_in(output, "password"))
    with pytest.raises(NotAuthenticated):
        sign_in("sam@example.com", secret_in(created, "password"))


def test_set_password_for_an_unknown_user_fails(migrated_cli: Cli) -> None:
    output = migrated_cli("user", "set-password", "ghost@example.com", code=1)

    assert "no user with e-mail ghost@example.com" in output


def test_list_shows_accounts(migrated_cli: Cli) -> None:
    migrated_cli("user", "create", "kim@example.com", "--role", "dispatcher")

    output = migrated_cli("user", "list")

    assert "kim@example.com" in output
    assert "dispatcher" in output


def test_token_prints_a_token_that_authenticates(migrated_cli: Cli) -> None:
    migrated_cli("user", "create", "bot@example.com", "--role", "viewer")

    result = migrated_cli.runner.invoke(
        app, ["user", "token", "bot@example.com", "--name", "reporting"]
    )

    assert result.exit_code == 0, result.output
    # stdout is the token alone, so that TOKEN=$(roofops user token ...) works; the rest is
    # on stderr.
    raw = result.stdout.strip()
    assert raw.startswith("rfo_")
    assert "\n" not in raw
    assert "Authorization: Bearer" in result.stderr
    with session_scope() as db:
        access = auth_service.api_token_access(db, raw)
    assert access is not None
    assert access.principal.email == "bot@example.com"


def test_token_for_an_unknown_user_fails(migrated_cli: Cli) -> None:
    output = migrated_cli("user", "token", "ghost@example.com", "--name", "x", code=1)

    assert "no user with e-mail ghost@example.com" in output
