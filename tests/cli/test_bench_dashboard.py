"""roofops bench dashboard against a tiny demo company: the JSON it promises, every endpoint
the app serves timed without an error, and one event delivered to more subscribers at once
than the database pool has connections (the figures themselves are measured outside the
suite, at the size the targets name)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from roofops.cli.bench_dashboard import run_dashboard_bench
from roofops.cli.main import app
from roofops.config import get_settings


def test_the_bench_times_the_dashboards_and_delivers_to_every_subscriber(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The bench shares its encryption key and data directory with the server it starts through
    # the environment; these make the test's own values come back afterwards.
    monkeypatch.setenv("ROOFOPS_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("ROOFOPS_ENCRYPTION_KEYS", raising=False)

    figures = run_dashboard_bench(
        size=0.05, database_url=None, requests=3, subscribers=120, scratch=tmp_path
    )
    monkeypatch.undo()
    get_settings.cache_clear()

    assert (figures["database"], figures["subscribers"]) == ("sqlite", 120)
    paths = [endpoint["path"] for endpoint in figures["endpoints"]]
    assert {"/command-center", "/executive", "/api/v1/executive/kpis"} <= set(paths)
    for endpoint in figures["endpoints"]:
        assert 0 < endpoint["p50_ms"] <= endpoint["p95_ms"], endpoint
        assert endpoint["first_ms"] > 0, endpoint
    assert 0 < figures["sse_delivery_p50_ms"] <= figures["sse_delivery_ms"] < 10_000
    json.dumps(figures)  # --json prints it as it is


def test_the_command_refuses_a_size_out_of_range() -> None:
    result = CliRunner().invoke(app, ["bench", "dashboard", "--size", "0", "--json"])

    assert result.exit_code == 2
    assert "--size" in result.output
