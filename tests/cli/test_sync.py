"""roofops sync: a sync run from the command line, with its outcome printed."""

from __future__ import annotations

import pytest

from roofops.config import get_settings
from roofops.sandbox.jobnimbus.demo_data import demo_store
from roofops.sandbox.jobnimbus.fake import create_fake_app, serve_fake
from tests.cli.conftest import Cli

KEY = "cli-test-jobnimbus-key"


def test_jobnimbus_sync_prints_its_counts(
    migrated_cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = demo_store(20)
    with serve_fake(create_fake_app(store, api_key=KEY)) as url:
        monkeypatch.setenv("ROOFOPS_JOBNIMBUS_API_KEY", KEY)
        monkeypatch.setenv("ROOFOPS_JOBNIMBUS_BASE_URL", url)
        get_settings.cache_clear()

        output = migrated_cli("sync", "jobnimbus")
        again = migrated_cli("sync", "jobnimbus")

    assert "succeeded: 4 requests" in output
    assert f"{store.count('jobs')} created" not in again  # nothing new the second time
    assert "0 created" in again


def test_quickbooks_sync_without_a_connection_fails_readably(migrated_cli: Cli) -> None:
    output = migrated_cli("sync", "quickbooks", code=1)

    assert "failed: 0 requests" in output
    assert "QuickBooks is not connected" in output
