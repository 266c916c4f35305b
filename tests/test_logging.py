"""Logs keep secrets out: the OAuth callback's code and state never reach a log line, whether
uvicorn writes the access line or we log the URL; library records are one JSON line each."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn

from roofops import schema
from roofops.app import create_app
from roofops.cli.serve import SERVER_OPTIONS
from roofops.config import Settings
from roofops.db import session_factory
from roofops.logging import configure_logging, get_logger
from tests.web.live_server import free_port

CALLBACK = "/integrations/quickbooks/callback?code=AB-secret-code&state=st-secret&realmId=9130"
SECRETS = ("AB-secret-code", "st-secret")


@pytest.fixture
def json_logs(settings: Settings) -> Iterator[Settings]:
    as_json = settings.model_copy(update={"log_json": True, "log_level": "INFO"})
    configure_logging(as_json)
    yield as_json
    configure_logging(settings)


@contextmanager
def production_server(settings: Settings, url: str) -> Iterator[str]:
    """uvicorn started the way `roofops serve` starts it (its logging options included)."""
    app = create_app(settings, session_factory(url), run_background=False)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, **SERVER_OPTIONS))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_uvicorns_access_line_is_redacted(
    json_logs: Settings, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    schema.upgrade(url)
    with production_server(json_logs, url) as base:
        response = httpx.get(base + CALLBACK, follow_redirects=False)
    captured = capfd.readouterr()
    lines = (captured.out + captured.err).splitlines()

    assert response.status_code == 303  # not signed in: off to the sign-in page
    assert not [line for line in lines if any(secret in line for secret in SECRETS)]
    records = [json.loads(line) for line in lines if line.startswith("{")]
    [record] = [one for one in records if one.get("logger") == "uvicorn.access"]
    assert "/integrations/quickbooks/callback?code=[redacted]" in record["event"]
    assert "realmId=9130" in record["event"]


def test_our_own_events_are_redacted_too(
    json_logs: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    get_logger("test").info("http.request", url=f"https://ops.example.com{CALLBACK}")
    line = capsys.readouterr().err.strip()

    assert not any(secret in line for secret in SECRETS)
    assert json.loads(line)["url"].endswith("state=[redacted]&realmId=9130")


def test_a_portal_magic_links_token_never_reaches_the_access_log(
    json_logs: Settings, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    token = "Qm9vayB0aGlzIGpvYiBub3cgcGxlYXNlIGFuZCB0aGFua3M"
    url = f"sqlite:///{tmp_path / 'live.db'}"
    schema.upgrade(url)
    with production_server(json_logs, url) as base:
        shown = httpx.get(f"{base}/portal/sign-in/{token}")
        used = httpx.post(f"{base}/portal/sign-in/{token}", data={"csrf_token": "x"})
    captured = capfd.readouterr()
    lines = (captured.out + captured.err).splitlines()

    assert (shown.status_code, used.status_code) == (200, 403)
    assert not [line for line in lines if token in line]
    records = [json.loads(line) for line in lines if line.startswith("{")]
    access = [one["event"] for one in records if one.get("logger") == "uvicorn.access"]
    assert len(access) == 2
    assert all("/portal/sign-in/[redacted]" in line for line in access)


def test_a_library_traceback_is_one_json_line(
    json_logs: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        raise ValueError("first\nsecond")
    except ValueError:
        logging.getLogger("uvicorn.error").exception("Exception in ASGI application")
    [line] = capsys.readouterr().err.strip().splitlines()

    record = json.loads(line)
    assert record["logger"] == "uvicorn.error"
    assert "ValueError: first" in record["exception"]
