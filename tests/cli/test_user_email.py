"""roofops user create takes exactly the e-mail addresses POST /api/v1/users takes."""

from __future__ import annotations

import pytest

from tests.auth.test_account_security import BAD_ADDRESSES, GOOD_ADDRESSES
from tests.cli.conftest import Cli


@pytest.mark.parametrize("address", BAD_ADDRESSES)
def test_the_cli_refuses_the_addresses_the_api_refuses(migrated_cli: Cli, address: str) -> None:
    output = migrated_cli("user", "create", address, "--role", "viewer", code=1)

    assert "not a valid e-mail address" in output
    assert "viewer" not in migrated_cli("user", "list")


@pytest.mark.parametrize("address", GOOD_ADDRESSES)
def test_the_cli_accepts_and_normalises_alike(migrated_cli: Cli, address: str) -> None:
    output = migrated_cli("user", "create", address, "--role", "viewer")

    assert f"Created {address.lower()} (viewer)" in output
