"""`roofops demo` end to end on a throwaway SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from roofops.cli.main import app
from roofops.config import get_settings
from roofops.db import get_engine


@pytest.fixture
def demo_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    monkeypatch.setenv("ROOFOPS_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_engine(url).dispose()
    get_settings.cache_clear()


def test_builds_then_reuses_and_prints_a_sign_in(demo_url: str) -> None:
    runner = CliRunner()
    args = ["demo", "--size", "0.03", "--seed", "5", "--as-of", "2026-06-30", "--no-forecast"]

    built = runner.invoke(app, args)
    reused = runner.invoke(app, args)
    refused = runner.invoke(app, ["demo", "--size", "0.04"])

    assert built.exit_code == 0, built.output
    assert "Built the demo company" in built.output
    assert "admin@demo.roofops.local" in built.output
    assert "password:" in built.output
    assert get_settings().base_url in built.output
    assert reused.exit_code == 0, reused.output
    assert "Reusing the demo company built on" in reused.output
    # The admin's password is kept (a signed-in browser stays signed in), and how to reset it
    # is said instead.
    assert "password:" not in reused.output
    assert "--reset-passwords" in reused.output
    assert refused.exit_code == 1
    assert "--rebuild" in refused.output


def test_rejects_a_malformed_as_of(demo_url: str) -> None:
    result = CliRunner().invoke(app, ["demo", "--as-of", "30/06/2026"])

    assert result.exit_code == 2
