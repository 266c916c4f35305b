"""CLI commands run against their own throwaway SQLite file, as an operator would run them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from roofops.cli.main import app
from roofops.config import get_settings
from roofops.db import get_engine, session_scope
from tests.web.live_server import browser_database


@pytest.fixture
def cli_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("ROOFOPS_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_engine(url).dispose()
    monkeypatch.undo()
    get_settings.cache_clear()


@contextmanager
def committed_database(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    seed: Callable[[Session], object],
) -> Iterator[str]:
    """A database of its own, seeded and committed, that the CLI's settings point at: the CLI
    commits as it would in production, so it cannot share the test's rolled-back transaction."""
    with browser_database(database_url, tmp_path) as url:
        with session_scope(url) as db:
            seed(db)
        monkeypatch.setenv("ROOFOPS_DATABASE_URL", url)
        get_settings.cache_clear()
        yield url
        monkeypatch.undo()
        get_settings.cache_clear()


class Cli:
    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, stdin: str | None = None, code: int = 0) -> str:
        result = self.runner.invoke(app, list(args), input=stdin)
        assert result.exit_code == code, result.output
        return result.output


@pytest.fixture
def cli(cli_url: str) -> Cli:
    return Cli()


@pytest.fixture
def migrated_cli(cli: Cli) -> Cli:
    cli("db", "upgrade")
    return cli
