"""roofops bench dashboard: the command center's and the executive pages' server time on the
demo company, and how fast one live event reaches 500 browsers.

Server time: the app in this process (no network, no other load), a signed-in admin for the
pages and an API token for the API; each endpoint is warmed up, then requested N times in a
row, and p50/p95 are taken. Live delivery: `roofops serve` (one worker process) on a second
scratch database of the same kind holding one user (delivery does not depend on the company's
size, and a demo's fake vendors take minutes to start at size 10), S subscribers on
/api/v1/events, then one event published from this process (as a crew lead's report is
published from whichever replica took it): the time until the last subscriber had it, and the
median.
"""

from __future__ import annotations

import asyncio
import os
import resource
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from roofops.cli import bench_http
from roofops.cli.bench_http import BenchUser

if TYPE_CHECKING:
    from fastapi.testclient import TestClient
    from rich.console import Console

ENDPOINTS = (
    "/command-center",
    "/api/v1/command-center",
    "/executive",
    "/api/v1/executive/kpis",
    "/api/v1/performance/crews",
    "/api/v1/performance/reps",
    "/api/v1/performance/cycle-times",
    "/api/v1/performance/backlog",
)
WARM_UP = 3
P95_TARGET_MS = 150.0
DELIVERY_TARGET_MS = 1000.0
BENCH_TOPIC = "bench.ping"
CONNECT_TIMEOUT = 60.0  # every subscriber connected and receiving
DELIVERY_TIMEOUT = 30.0
PROBE_EVERY = 0.3  # seconds between probes until every subscriber has had one


def run_dashboard_bench(
    *,
    size: float,
    database_url: str | None,
    requests: int,
    subscribers: int,
    scratch: Path,
    progress: Callable[[str], None] = lambda _step: None,
) -> dict[str, Any]:
    """Build the demo company, time the endpoints, measure live delivery; the figures.
    ``progress`` is told each step as it begins (the CLI shows it)."""
    bench_http.share_secrets_with_the_server(scratch, given_database=False)
    with _scratch_database(database_url, scratch, "bench-dashboard") as url:
        progress(f"building the demo company (size {size:g})...")
        prepared = bench_http.prepare_demo(url, size, "bench dashboard")
        endpoints = time_endpoints(url, prepared, requests, progress)
    # Delivery goes through the event hub, whatever the company's size: a database with one
    # user spares the server the demo's fake vendors, which take minutes to build at size 10.
    with _scratch_database(database_url, scratch, "bench-live") as url:
        progress(f"{subscribers} subscribers, one event...")
        delivery = measure_sse_delivery(url, _first_admin(url), subscribers)
    return {
        "database": "sqlite" if url.startswith("sqlite") else "postgresql",
        "size": size,
        "requests": requests,
        "endpoints": endpoints,
        "subscribers": subscribers,
        "sse_delivery_ms": delivery["last_ms"],
        "sse_delivery_p50_ms": delivery["p50_ms"],
    }


@contextmanager
def _scratch_database(database_url: str | None, scratch: Path, stem: str) -> Iterator[str]:
    """A fresh SQLite file, or a database of its own on the PostgreSQL server given, dropped
    afterwards (the bench builds a whole demo company: it never writes into a real one)."""
    if database_url is None or database_url.startswith("sqlite"):
        yield f"sqlite:///{scratch / stem}.db"
        return
    import sqlalchemy as sa

    from roofops.db import get_engine

    server = sa.make_url(database_url)
    name = f"roofops_bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    url = server.set(database=name).render_as_string(hide_password=False)
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield url
    finally:
        get_engine(url).dispose()
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def _first_admin(url: str) -> BenchUser:
    """A migrated database with its first admin, and no demo company."""
    from roofops import schema
    from roofops.auth.service import user_service
    from roofops.db import session_scope

    email = "bench@roofops.local"
    schema.upgrade(url)
    with session_scope(url) as db:
        password = user_service.ensure_first_admin(db, email)
    assert password is not None, "a fresh database has no admin yet"
    return BenchUser(email, password, token="")


def time_endpoints(
    url: str,
    prepared: BenchUser,
    requests: int,
    progress: Callable[[str], None] = lambda _step: None,
) -> list[dict[str, Any]]:
    """p50/p95 server time of each endpoint the app serves, in this process."""
    from fastapi.testclient import TestClient

    from roofops.app import create_app
    from roofops.config import get_settings

    # No fake vendors: the demo's would build in background threads for minutes at size 10,
    # taking the CPU from the requests timed; none of these routes calls a vendor.
    nowhere = "http://127.0.0.1:9"
    settings = get_settings().model_copy(
        update={"database_url": url, "cron_enabled": False, "sandbox_upstream": nowhere}
    )
    app = create_app(settings, run_background=False)
    figures = []
    with TestClient(app, base_url="http://bench") as client:
        _sign_in(client, prepared)
        api = {"Authorization": f"Bearer {prepared.token}"}
        for path in ENDPOINTS:
            progress(f"timing {path}...")
            headers = api if path.startswith("/api/") else {}
            timed = _timed(client, path, headers, requests)
            if timed is not None:
                figures.append(timed)
    return figures


def _sign_in(client: TestClient | httpx.Client, prepared: BenchUser) -> None:
    form = prepared.login_form(client.get("/login").text)
    bench_http.check_signed_in(client.post("/login", data=form, follow_redirects=False))


def _browser_cookies(base: str, prepared: BenchUser) -> httpx.Cookies:
    with httpx.Client(base_url=base, timeout=60) as browser:
        _sign_in(browser, prepared)
        return browser.cookies


def _timed(
    client: TestClient, path: str, headers: dict[str, str], requests: int
) -> dict[str, Any] | None:
    """None when the app does not serve the path (a part of the dashboard not built yet).
    ``first_ms`` is the first request's time: caches empty, as after a change to the data."""
    warm_up = []
    for _ in range(WARM_UP):
        started = time.perf_counter()
        response = client.get(path, headers=headers, follow_redirects=False)
        warm_up.append(bench_http.millis_since(started))
        if response.status_code == 404:
            return None
        if response.status_code >= 400:
            raise RuntimeError(
                f"{path} answered HTTP {response.status_code}: {response.text[:300]}"
            )
    millis = []
    for _ in range(requests):
        started = time.perf_counter()
        client.get(path, headers=headers, follow_redirects=False)
        millis.append(bench_http.millis_since(started))
    return {
        "path": path,
        "p50_ms": bench_http.percentile(millis, 50),
        "p95_ms": bench_http.percentile(millis, 95),
        "first_ms": round(warm_up[0], 1),
    }


def measure_sse_delivery(url: str, prepared: BenchUser, subscribers: int) -> dict[str, float]:
    """`roofops serve` with one worker on the database; the subscribers in this process."""
    _raise_open_files_limit(subscribers)
    with (
        _one_web_worker(),
        bench_http.serve(url) as base,
        ThreadPoolExecutor(max_workers=1) as loop,
    ):
        # A loop of its own: the caller may run one already (Playwright's sync API does).
        return loop.submit(asyncio.run, _deliver(base, url, prepared, subscribers)).result()


def _raise_open_files_limit(subscribers: int) -> None:
    """Each subscriber is a socket here and one in the server (which inherits the limit):
    lift the soft limit to the hard one when the default (often 1024) is too tight."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = subscribers * 2 + 200
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))


@contextmanager
def _one_web_worker() -> Iterator[None]:
    previous = os.environ.get("ROOFOPS_WEB_WORKERS")
    os.environ["ROOFOPS_WEB_WORKERS"] = "1"
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("ROOFOPS_WEB_WORKERS", None)
        else:
            os.environ["ROOFOPS_WEB_WORKERS"] = previous


class _Board:
    """What every subscriber has seen: probes (all connected?) and the measured event."""

    def __init__(self, subscribers: int) -> None:
        self.subscribers = subscribers
        self.probed: set[int] = set()
        self.received: dict[int, float] = {}
        self.all_probed = asyncio.Event()
        self.all_received = asyncio.Event()

    def saw(self, index: int, payload: dict[str, Any]) -> None:
        if payload.get("kind") == "probe":
            self.probed.add(index)
            if len(self.probed) == self.subscribers:
                self.all_probed.set()
        elif payload.get("kind") == "measured" and index not in self.received:
            self.received[index] = time.perf_counter()
            if len(self.received) == self.subscribers:
                self.all_received.set()


async def _deliver(base: str, url: str, prepared: BenchUser, subscribers: int) -> dict[str, float]:
    board = _Board(subscribers)
    limits = httpx.Limits(max_connections=subscribers + 10, max_keepalive_connections=0)
    # Signed in as a browser is (one admin with many dashboards open): the pages subscribe so.
    cookies = await asyncio.to_thread(_browser_cookies, base, prepared)
    async with httpx.AsyncClient(
        base_url=base, cookies=cookies, limits=limits, timeout=httpx.Timeout(60, read=None)
    ) as client:
        listeners = [
            asyncio.create_task(_subscribe(client, index, board)) for index in range(subscribers)
        ]
        try:
            await _until_all_probed(url, board)
            published = await asyncio.to_thread(_publish, url, "measured")
            await asyncio.wait_for(board.all_received.wait(), DELIVERY_TIMEOUT)
        finally:
            for listener in listeners:
                listener.cancel()
            await asyncio.gather(*listeners, return_exceptions=True)
    delays = sorted((at - published) * 1000 for at in board.received.values())
    return {"last_ms": round(delays[-1], 1), "p50_ms": round(statistics.median(delays), 1)}


async def _subscribe(client: httpx.AsyncClient, index: int, board: _Board) -> None:
    import json

    async with client.stream("GET", "/api/v1/events", params={"topics": BENCH_TOPIC}) as response:
        response.raise_for_status()
        async for line in response.aiter_lines():
            if line.startswith("data:"):
                board.saw(index, json.loads(line.removeprefix("data:").strip()))


async def _until_all_probed(url: str, board: _Board) -> None:
    """Probe events until every subscriber has had one: each is then registered with the
    server's hub (a response's headers arrive before its subscription is made)."""
    deadline = time.monotonic() + CONNECT_TIMEOUT
    while not board.all_probed.is_set():
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"only {len(board.probed)} of {board.subscribers} subscribers were receiving "
                f"events after {CONNECT_TIMEOUT:g} s"
            )
        await asyncio.to_thread(_publish, url, "probe")
        try:
            await asyncio.wait_for(board.all_probed.wait(), PROBE_EVERY)
        except TimeoutError:
            continue


def _publish(url: str, kind: str) -> float:
    """One event, committed from this process; the moment of the commit (perf_counter)."""
    from roofops.auth.permissions import Permission
    from roofops.db import session_factory
    from roofops.events.bus import publish

    with session_factory(url)() as db:
        publish(db, BENCH_TOPIC, {"kind": kind}, seen_with=Permission.USE_ACCOUNT)
        committed = time.perf_counter()
        db.commit()
    return committed


def print_dashboard(console: Console, figures: dict[str, Any]) -> None:
    from rich.table import Table

    title = f"Dashboards: {figures['database']}, demo size {figures['size']:g}"
    table = Table(title=f"{title}, {figures['requests']} requests a route, server time")
    columns = ("endpoint", "p50 ms", "p95 ms", f"p95 <= {P95_TARGET_MS:g} ms", "first ms")
    for column in columns:
        table.add_column(column, justify="left" if column == "endpoint" else "right")
    for endpoint in figures["endpoints"]:
        met = endpoint["p95_ms"] <= P95_TARGET_MS
        table.add_row(
            endpoint["path"],
            f"{endpoint['p50_ms']:.1f}",
            f"{endpoint['p95_ms']:.1f}",
            "met" if met else "MISSED",
            f"{endpoint['first_ms']:.0f}",
        )
    console.print(table)
    delivery = figures["sse_delivery_ms"]
    console.print(
        f"one event to {figures['subscribers']} SSE subscribers: the last had it after "
        f"{delivery:.0f} ms (median {figures['sse_delivery_p50_ms']:.0f} ms); target under "
        f"{DELIVERY_TARGET_MS:g} ms: {'met' if delivery < DELIVERY_TARGET_MS else 'MISSED'}"
    )
