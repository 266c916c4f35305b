"""roofops bench api: readers and a few writers against the demo company, with latencies per route.

The app runs as `roofops serve` in a process of its own (as in production: the load generator
must not share its interpreter), on the demo company of the chosen size in a fresh SQLite file
or the PostgreSQL database given. Readers loop over the jobs API, the jobs page, a job's page,
the Profit page and the Command Center; writers edit jobs through the API, a few a second.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

READ_ROUTES = ("/api/v1/jobs", "/jobs", "/jobs/{id}", "/profit", "/command-center")
WRITE_ROUTE = "PATCH /api/v1/jobs/{id}"
WRITE_PAUSE = 0.5  # seconds between a writer's requests: "a few writers", not a write storm
START_TIMEOUT = 120.0
BENCH_SEED = 42
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Samples:
    """Latencies (ms) and errors per route, filled by every reader and writer."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, route: str, millis: float, ok: bool) -> None:
        self.latencies[route].append(millis)
        if not ok:
            self.errors[route] += 1

    def report(self) -> list[dict[str, object]]:
        return [
            {
                "path": route,
                "requests": len(values),
                "p50_ms": _percentile(values, 50),
                "p95_ms": _percentile(values, 95),
                "p99_ms": _percentile(values, 99),
                "errors": self.errors.get(route, 0),
            }
            for route, values in sorted(self.latencies.items())
        ]


@dataclass(frozen=True)
class Target:
    url: str
    email: str
    password: str
    token: str
    job_ids: list[str]


def run_bench(
    *, concurrency: int, seconds: float, size: float, database_url: str | None, scratch: Path
) -> dict[str, object]:
    url = database_url or f"sqlite:///{scratch / 'bench-api.db'}"
    _share_secrets_with_the_server(scratch, given_database=database_url is not None)
    prepared = _prepare(url, size)
    with _server(url) as base:
        target = Target(base, *prepared)
        samples = Samples()
        _load(target, samples, concurrency=concurrency, seconds=seconds)
    database = "sqlite" if url.startswith("sqlite") else "postgresql"
    return {
        "database": database,
        "size": size,
        "concurrency": concurrency,
        "routes": samples.report(),
    }


def _prepare(url: str, size: float) -> tuple[str, str, str, list[str]]:
    """The demo company (built or reused), the admin's sign-in, an API token, some jobs."""
    from roofops import schema
    from roofops.auth.service import auth_service, user_service
    from roofops.db import session_scope
    from roofops.job.service import job_service
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
        token = auth_service.create_api_token(db, user_id=user.id, name="bench api").raw_token
        job_ids = [str(job_id) for job_id in job_service.some_ids(db, 200)]
    return admin.email, admin.password, token, job_ids


def _share_secrets_with_the_server(scratch: Path, *, given_database: bool) -> None:
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
def _server(url: str) -> Iterator[str]:
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


def _load(target: Target, samples: Samples, *, concurrency: int, seconds: float) -> None:
    # The load's event loop gets a thread of its own: the caller may be running a loop already
    # (Playwright's sync API keeps one in the main thread of a test process).
    with ThreadPoolExecutor(max_workers=1) as loop_thread:
        loop_thread.submit(asyncio.run, _run_load(target, samples, concurrency, seconds)).result()


async def _run_load(target: Target, samples: Samples, concurrency: int, seconds: float) -> None:
    """Readers and writers as coroutines on one event loop: a thread per client would spend
    the machine's (two) cores on their own GIL hand-offs and count that as server latency.
    Every client signs in first and the clock starts when all have: sign-in is not a route
    measured here, and ten password checks at once would stall the first writes."""
    writers = max(1, concurrency // 5)
    start = asyncio.Barrier(concurrency + writers)
    async with asyncio.TaskGroup() as group:
        for index in range(concurrency):
            group.create_task(_reader(target, samples, start, seconds, index))
        for index in range(writers):
            group.create_task(_writer(target, samples, start, seconds, index))


async def _reader(
    target: Target, samples: Samples, start: asyncio.Barrier, seconds: float, index: int
) -> None:
    rng = random.Random(index)  # noqa: S311 (load mix, not cryptography)
    async with _signed_in(target) as browser, _api(target) as api:
        await start.wait()
        deadline = time.monotonic() + seconds
        step = index
        # At least one round: every route gets a sample, however short the run or slow the server.
        while time.monotonic() < deadline or step < index + len(READ_ROUTES):
            route = READ_ROUTES[step % len(READ_ROUTES)]
            path = route.replace("{id}", rng.choice(target.job_ids))
            client = api if route.startswith("/api/") else browser
            await _timed(samples, route, client.get(path))
            step += 1


async def _writer(
    target: Target, samples: Samples, start: asyncio.Barrier, seconds: float, index: int
) -> None:
    rng = random.Random(1000 + index)  # noqa: S311
    async with _api(target) as api:
        await start.wait()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            job = rng.choice(target.job_ids)
            body = {"description": f"Bench note {rng.randrange(1_000_000)}"}
            await _timed(samples, WRITE_ROUTE, api.patch(f"/api/v1/jobs/{job}", json=body))
            await asyncio.sleep(WRITE_PAUSE)


async def _timed(samples: Samples, route: str, call: Awaitable[httpx.Response]) -> None:
    started = time.perf_counter()
    try:
        ok = (await call).status_code < 400
    except httpx.HTTPError:
        ok = False
    samples.add(route, (time.perf_counter() - started) * 1000, ok)


@asynccontextmanager
async def _signed_in(target: Target) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=target.url, timeout=60) as client:
        page = (await client.get("/login")).text
        match = CSRF.search(page)
        assert match, "the sign-in page has no CSRF field"
        form = {"email": target.email, "password": target.password, "csrf_token": match.group(1)}
        signed = await client.post("/login", data=form)
        if signed.status_code != 303:
            raise RuntimeError(f"the demo admin could not sign in (HTTP {signed.status_code})")
        yield client


@asynccontextmanager
async def _api(target: Target) -> AsyncIterator[httpx.AsyncClient]:
    headers = {"Authorization": f"Bearer {target.token}"}
    async with httpx.AsyncClient(base_url=target.url, headers=headers, timeout=60) as client:
        yield client


def _percentile(values: list[float], percent: int) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return round(values[0], 1)
    return round(statistics.quantiles(values, n=100, method="inclusive")[percent - 1], 1)
