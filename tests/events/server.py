"""A real roofops server in a subprocess, for tests that need a second process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_server(database_url: str, token: str) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "ROOFOPS_DATABASE_URL": database_url,
        "ROOFOPS_CRON_ENABLED": "false",
        "ROOFOPS_LOG_LEVEL": "WARNING",
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "roofops.app:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(base, token)
        yield base
    finally:
        process.terminate()
        process.wait(15)


def _wait_until_serving(base: str, token: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            response = httpx.get(f"{base}/api/v1/auth/me", headers=bearer(token), timeout=2)
            if response.status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"server at {base} did not start")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
