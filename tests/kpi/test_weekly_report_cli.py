"""roofops reports weekly: the report written to a file (and a clear refusal without a task),
against a throwaway SQLite file, as an operator runs it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from roofops.cli.main import app
from roofops.config import get_settings
from roofops.db import get_engine


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("ROOFOPS_DATABASE_URL", url)
    get_settings.cache_clear()
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    yield runner
    get_engine(url).dispose()
    monkeypatch.undo()
    get_settings.cache_clear()


def test_the_report_of_a_week_is_written_to_the_file(run: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "week.pdf"

    result = run.invoke(app, ["reports", "weekly", "--week", "2026-11-25", "--out", str(out)])

    assert result.exit_code == 0, result.output
    assert "executive-report-2026-11-23.pdf written to" in result.output
    assert out.read_bytes().startswith(b"%PDF")


def test_it_asks_what_to_do_and_refuses_a_week_to_come(run: CliRunner, tmp_path: Path) -> None:
    nothing = run.invoke(app, ["reports", "weekly"])
    future = run.invoke(app, ["reports", "weekly", "--week", "2999-01-01", "--out", "x.pdf"])

    assert nothing.exit_code == 1
    assert "--out FILE, --email, or both" in nothing.output
    assert future.exit_code == 1
    assert "has not started yet" in future.output
