"""roofops bench api: readers and a few writers against the demo company, with latencies per route.

The app runs as `roofops serve` in a process of its own (as in production: the load generator
must not share its interpreter), on the demo company of the chosen size in a fresh SQLite file
or the PostgreSQL database given. Readers loop over the jobs API, the jobs page, a job's page,
the Profit page and the Command Center; writers edit jobs through the API, a few a second.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from roofops.cli.bench_http import (
    BenchUser,
    check_signed_in,
    millis_since,
    percentile,
    prepare_demo,
    serve,
    share_secrets_with_the_server,
)

READ_ROUTES = ("/api/v1/jobs", "/jobs", "/jobs/{id}", "/profit", "/command-center")
WRITE_ROUTE = "PATCH /api/v1/jobs/{id}"
WRITE_PAUSE = 0.5  # seconds between a writer's requests: "a few writers", not a write storm


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
                "p50_ms": percentile(values, 50),
                "p95_ms": percentile(values, 95),
                "p99_ms": percentile(values, 99),
                "errors": self.errors.get(route, 0),
            }
            for route, values in sorted(self.latencies.items())
        ]


@dataclass(frozen=True)
class Target:
    url: str
    user: BenchUser
    job_ids: list[str]


def run_bench(
    *, concurrency: int, seconds: float, size: float, database_url: str | None, scratch: Path
) -> dict[str, object]:
    url = database_url or f"sqlite:///{scratch / 'bench-api.db'}"
    share_secrets_with_the_server(scratch, given_database=database_url is not None)
    user = prepare_demo(url, size, "bench api")
    with serve(url) as base:
        target = Target(base, user, _some_jobs(url))
        samples = Samples()
        _load(target, samples, concurrency=concurrency, seconds=seconds)
    database = "sqlite" if url.startswith("sqlite") else "postgresql"
    return {
        "database": database,
        "size": size,
        "concurrency": concurrency,
        "routes": samples.report(),
    }


def _some_jobs(url: str) -> list[str]:
    from roofops.db import session_scope
    from roofops.job.service import job_service

    with session_scope(url) as db:
        return [str(job_id) for job_id in job_service.some_ids(db, 200)]


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
    samples.add(route, millis_since(started), ok)


@asynccontextmanager
async def _signed_in(target: Target) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=target.url, timeout=60) as client:
        form = target.user.login_form((await client.get("/login")).text)
        check_signed_in(await client.post("/login", data=form))
        yield client


@asynccontextmanager
async def _api(target: Target) -> AsyncIterator[httpx.AsyncClient]:
    headers = {"Authorization": f"Bearer {target.user.token}"}
    async with httpx.AsyncClient(base_url=target.url, headers=headers, timeout=60) as client:
        yield client
