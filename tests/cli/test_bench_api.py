"""roofops bench api, run for a second against a tiny demo company: the JSON it promises (the
figures themselves are measured outside the suite, at the sizes the targets name)."""

from __future__ import annotations

from pathlib import Path

import pytest

from roofops.cli.bench_api import READ_ROUTES, WRITE_ROUTE, run_bench
from roofops.config import get_settings


def test_the_bench_serves_the_demo_and_reports_every_route(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The bench shares its encryption key and data directory with the server it starts through
    # the environment; these make the test's own values come back afterwards.
    monkeypatch.setenv("ROOFOPS_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("ROOFOPS_ENCRYPTION_KEYS", raising=False)

    figures = run_bench(concurrency=2, seconds=1, size=0.05, database_url=None, scratch=tmp_path)
    monkeypatch.undo()
    get_settings.cache_clear()

    assert (figures["database"], figures["size"], figures["concurrency"]) == ("sqlite", 0.05, 2)
    routes = {route["path"]: route for route in figures["routes"]}
    assert set(routes) == {*READ_ROUTES, WRITE_ROUTE}
    for path, route in routes.items():
        assert route["requests"] > 0, path
        assert route["errors"] == 0, path
        assert 0 < route["p50_ms"] <= route["p95_ms"] <= route["p99_ms"], path
