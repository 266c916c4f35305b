"""roofops serve: schema preparation, the first admin, and a real server answering probes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
import typer
from rich.console import Console

from roofops import schema
from roofops.cli.serve import FIRST_ADMIN_EMAIL, announce_first_admin, prepare_schema
from roofops.config import Settings, get_settings
from roofops.db import get_engine, session_scope
from roofops.integrations.core.credentials import read_credentials, secret_box
from roofops.integrations.core.repository import ConnectionRepository
from roofops.kit.crypto import new_fernet_key
from roofops.models.enums import Provider
from roofops.sandbox.demo import build_demo
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


def _child_commands(pid: int) -> list[str]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [Path(f"/proc/{child}/cmdline").read_text().replace("\0", " ") for child in children]


@pytest.fixture
def demo_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A tiny demo company in its own SQLite file, its vendor secrets under a key of its own
    (the server started below reads both from the environment)."""
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    monkeypatch.setenv("ROOFOPS_ENCRYPTION_KEYS", new_fernet_key())
    monkeypatch.setenv("ROOFOPS_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    schema.upgrade(url)
    with session_scope(url) as db:
        build_demo(db, size=0.05, seed=7, as_of=date(2026, 11, 30))
    yield url
    get_engine(url).dispose()
    monkeypatch.undo()
    get_settings.cache_clear()


def _demo_crm_key(url: str) -> str:
    settings = get_settings()
    with session_scope(url) as db:
        connection = ConnectionRepository(db).by_provider(Provider.JOBNIMBUS)
        assert connection is not None
        return str(read_credentials(secret_box(settings), connection)["api_key"])


@pytest.mark.slow
def test_two_workers_share_one_port_one_sandbox_and_one_metrics_view(demo_url: str) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "ROOFOPS_DATABASE_URL": demo_url, "ROOFOPS_BASE_URL": base}
    env |= {"ROOFOPS_CRON_ENABLED": "false", "ROOFOPS_WEB_WORKERS": "2"}
    env.pop("ROOFOPS_TEST_DATABASE_URL", None)
    command = [sys.executable, "-c", "from roofops.cli.main import app; app()", "serve"]
    process = subprocess.Popen([*command, "--port", str(port)], env=env, text=True)
    try:
        _wait_until_live(base, process)
        children = _child_commands(process.pid)
        assert sum("spawn_main" in child for child in children) == 2  # the web workers
        assert sum("roofops.sandbox.process" in child for child in children) == 1

        # Each request on a connection of its own: the kernel spreads them over both workers.
        pages = [httpx.get(f"{base}/login", timeout=10).status_code for _ in range(20)]
        metrics = httpx.get(f"{base}/metrics", timeout=10).text

        # A record made in the fake CRM through one worker is there through every worker: the
        # fakes live in one process (copies per worker would answer 404 about half the time).
        crm = {"Authorization": f"bearer {_demo_crm_key(demo_url)}"}
        made = httpx.post(
            f"{base}/sandbox/jobnimbus/api1/contacts",
            json={"display_name": "Proxy Test", "record_type_name": "Customer"},
            headers=crm,
            timeout=10,
        )
        assert made.status_code == 200, made.text
        jnid = made.json()["jnid"]
        reads = [
            httpx.get(f"{base}/sandbox/jobnimbus/api1/contacts/{jnid}", headers=crm).status_code
            for _ in range(10)
        ]
    finally:
        process.terminate()
        process.wait(timeout=30)

    assert pages == [200] * 20
    counted = 'roofops_http_requests_total{method="GET",route="/login",status="200"} 20.0'
    assert counted in metrics  # every worker's requests, whichever worker was scraped
    assert reads == [200] * 10
