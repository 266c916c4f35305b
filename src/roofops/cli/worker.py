"""roofops worker: background jobs and cron in their own process."""

from __future__ import annotations

import signal
import threading
from typing import Annotated

import typer
from rich.console import Console


def worker(
    concurrency: Annotated[
        int | None,
        typer.Option(min=1, max=64, help="Jobs run at once (ROOFOPS_WORKER_CONCURRENCY)."),
    ] = None,
) -> None:
    """Run background jobs, cron and the heartbeat until stopped (Ctrl-C or SIGTERM)."""
    from roofops.composition import register_background_work
    from roofops.config import get_settings
    from roofops.worker.runtime import start_runtime

    settings = get_settings()
    register_background_work()
    console = Console(stderr=True)
    threads = concurrency or settings.worker_concurrency
    if settings.is_sqlite:
        console.print("roofops worker: embedded queue on SQLite (jobs, cron, heartbeat).")
        runtime = start_runtime(settings, role="worker")
        _wait_for_signal()
        runtime.stop()
        return
    console.print(f"roofops worker: procrastinate on PostgreSQL, concurrency {threads}.")
    _run_postgres_worker(settings.database_url, threads)


def _run_postgres_worker(database_url: str, concurrency: int) -> None:
    from roofops.config import get_settings
    from roofops.worker.heartbeat import Heartbeat
    from roofops.worker.identity import worker_id
    from roofops.worker.procrastinate_app import run_worker
    from roofops.worker.runtime import start_runtime

    settings = get_settings()
    runtime = start_runtime(settings, role="worker")
    heartbeat = Heartbeat(
        database_url,
        worker_id=worker_id("worker"),
        kind="procrastinate",
        interval=settings.worker_heartbeat_seconds,
    )
    heartbeat.start()
    try:
        run_worker(database_url, concurrency=concurrency)
    finally:
        heartbeat.stop()
        runtime.stop()


def _wait_for_signal() -> None:
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    stop.wait()
