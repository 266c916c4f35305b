"""roofops serve: schema preparation, the first admin, and a real server answering probes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
import typer
from rich.console import Console

from roofops import schema
from roofops.cli.serve import FIRST_ADMIN_EMAIL, announce_first_admin, prepare_schema
from roofops.config import Settings, get_settings
from roofops.db import get_engine
from tests.cli.conftest import Cli


def test_sqlite_is_migrated_on_start(cli_url: str) -> None:
    prepare_schema(get_settings(), Console())

    assert schema.is_current(cli_url)


@pytest.fixture
def postgres_url(database_url: str, is_postgres: bool) -> str:
    if not is_postgres:
        pytest.skip("the PostgreSQL start-up rules need ROOFOPS_TEST_DATABASE_URL")
    return database_url


def _stamp(url: str, revision: str | None) -> None:
    with get_engine(url).begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = :r"), {"r": revision})


@pytest.mark.parametrize(("revision", "refused"), [("0001", True), ("from_next_release", False)])
def test_postgres_is_not_migrated_on_start(
    postgres_url: str, revision: str, refused: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(database_url=postgres_url)
    prepare_schema(settings, Console())  # at head: starts quietly
    _stamp(postgres_url, revision)
    try:
        if refused:
            with pytest.raises(typer.Exit):
                prepare_schema(settings, Console())
        else:
            prepare_schema(settings, Console())
    finally:
        _stamp(postgres_url, schema.head_revision())
    output = capsys.readouterr().out
    assert ("roofops db upgrade" in output) is refused
    assert schema.is_current(postgres_url)


def test_first_admin_is_announced_once(
    migrated_cli: Cli, capsys: pytest.CaptureFixture[str]
) -> None:
    announce_first_admin(Console(), "http://127.0.0.1:8000")
    first = capsys.readouterr().out
    announce_first_admin(Console(), "http://127.0.0.1:8000")
    second = capsys.readouterr().out

    assert FIRST_ADMIN_EMAIL in first
    assert "password:" in first
    assert second == ""
    assert FIRST_ADMIN_EMAIL in migrated_cli("user", "list")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    port = _free_port()
    env = {**os.environ, "ROOFOPS_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}"}
    env.pop("ROOFOPS_TEST_DATABASE_URL", None)
    command = [sys.executable, "-c", "from roofops.cli.main import app; app()"]
    process = subprocess.Popen(
        [*command, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    yield process, f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=20)


def _wait_until_live(url: str, process: subprocess.Popen[str]) -> httpx.Response:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            return httpx.get(f"{url}/health/live", timeout=1)
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError(f"the server did not come up (exit code {process.poll()})")


@pytest.mark.slow
def test_serve_migrates_prints_the_admin_and_answers(
    server: tuple[subprocess.Popen[str], str],
) -> None:
    process, url = server

    live = _wait_until_live(url, process)
    ready = httpx.get(f"{url}/health/ready", timeout=5)
    process.terminate()
    stdout, stderr = process.communicate(timeout=20)

    assert live.json() == {"status": "ok"}
    assert ready.json()["checks"]["migrations"]["ok"] is True
    assert "server" not in live.headers
    password_line = next(line for line in stdout.splitlines() if "password:" in line)
    password = password_line.split("password:")[1].strip()
    assert FIRST_ADMIN_EMAIL in stdout
    assert password not in stderr
