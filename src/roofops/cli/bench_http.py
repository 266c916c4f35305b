"""What the benches that load the app over HTTP share (roofops bench api, roofops bench
dashboard): the demo company and its admin, `roofops serve` in a process of its own, signing in
through the login form, and percentiles of the latencies."""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

BENCH_SEED = 42
START_TIMEOUT = 120.0
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class BenchUser:
    """Who the bench signs in as (email, password) and calls the API as (token)."""

    email: str
    password: str
    token: str

    def login_form(self, login_page: str) -> dict[str, str]:
        """The login form filled in, with the CSRF token of the page that holds it."""
        match = CSRF.search(login_page)
        assert match, "the sign-in page has no CSRF field"
        return {"email": self.email, "password": self.password, "csrf_token": match[1]}


def check_signed_in(response: httpx.Response) -> None:
    """Signing in answers with a redirect; anything else means the admin could not."""
    if response.status_code != 303:
        raise RuntimeError(f"the demo admin could not sign in (HTTP {response.status_code})")


def prepare_demo(url: str, size: float, token_name: str) -> BenchUser:
    """The demo company (built or reused), its admin's password (reset) and an API token."""
    from roofops import schema
    from roofops.auth.service import auth_service, user_service
    from roofops.db import session_scope
    from roofops.sandbox.demo import build_demo

    schema.upgrade(url)
    with session_scope(url) as db:
        summary = build_demo(
            db, size=size, seed=BENCH_SEED, as_of=datetime.now(UTC).date(), reset_all_passwords=True
        )
        admin = summary.admin
        user = user_service.find_by_email(db, admin.email)
        assert admin.password is not None
        assert user is not None
        token = auth_service.create_api_token(db, user_id=user.id, name=token_name)
    return BenchUser(admin.email, admin.password, token.raw_token)


def share_secrets_with_the_server(scratch: Path, *, given_database: bool) -> None:
    """The demo's vendor secrets are encrypted here and read by the server: one key for both.
    A fresh SQLite file gets a fresh key in the scratch directory. A database given keeps the
    key `roofops serve` would use (ROOFOPS_ENCRYPTION_KEYS, else the local key file), so that
    a demo an earlier run built there can be read again."""
    from roofops.config import get_settings
    from roofops.kit.crypto import new_fernet_key

    if not given_database:
        os.environ.setdefault("ROOFOPS_ENCRYPTION_KEYS", new_fernet_key())
        os.environ["ROOFOPS_DATA_DIR"] = str(scratch)
    get_settings.cache_clear()


@contextmanager
def serve(url: str) -> Iterator[str]:
    """`roofops serve` in its own process; no cron, so no scheduled sync runs during the bench."""
    from roofops.sandbox.server import free_port

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = os.environ | {
        "ROOFOPS_DATABASE_URL": url,
        "ROOFOPS_BASE_URL": base,
        "ROOFOPS_CRON_ENABLED": "false",
        "ROOFOPS_LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-c", "from roofops.cli.main import app; app()", "serve"]
    process = subprocess.Popen(  # noqa: S603 (our own interpreter and command)
        [*command, "--port", str(port)], env=env, stdout=subprocess.DEVNULL
    )
    try:
        _wait_until_ready(base, process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_until_ready(base: str, process: subprocess.Popen[bytes]) -> None:
    from roofops.sandbox.mount import SANDBOXES

    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("roofops serve stopped before it was ready")
        try:
            if httpx.get(f"{base}/health/ready", timeout=2).status_code == 200:
                # The demo's sandboxes build in the background at start-up (each would take
                # the CPU from the load): wait every one of them out.
                for box in SANDBOXES:
                    httpx.get(f"{base}{box.path}/", timeout=START_TIMEOUT)
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise RuntimeError("roofops serve did not get ready in time")


def millis_since(started: float) -> float:
    """Milliseconds since ``started`` (a time.perf_counter() reading)."""
    return (time.perf_counter() - started) * 1000


def percentile(values: list[float], percent: int) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return round(values[0], 1)
    return round(statistics.quantiles(values, n=100, method="inclusive")[percent - 1], 1)
