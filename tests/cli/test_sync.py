"""roofops sync: a sync run from the command line, with its outcome printed."""

from __future__ import annotations

import pytest

from roofops.config import get_settings
from roofops.sandbox.jobnimbus.demo_data import demo_store
from roofops.sandbox.jobnimbus.fake import create_fake_app, serve_fake
from roofops.sandbox.server import answers, free_port
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


def test_the_demo_syncs_from_the_command_line_without_roofops_serve(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The demo's sandbox CRM lives inside `roofops serve`; with no server running the command
    serves it itself on the server's address for as long as it runs."""
    port = free_port()
    monkeypatch.setenv("ROOFOPS_BASE_URL", f"http://127.0.0.1:{port}")
    get_settings.cache_clear()
    cli("demo", "--size", "0.03", "--seed", "5")

    output = cli("sync", "jobnimbus")

    assert "sandbox JobNimbus is served by this command" in output
    assert "succeeded:" in output
    assert not answers("127.0.0.1", port)  # and it is gone again
