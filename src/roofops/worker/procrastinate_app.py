"""The procrastinate worker (PostgreSQL): every registered task, run by name."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from roofops.worker.registry import all_tasks, run_task


def conninfo(database_url: str) -> str:
    """procrastinate talks psycopg directly: drop SQLAlchemy's driver marker from the URL."""
    return database_url.replace("postgresql+psycopg://", "postgresql://", 1)


def build_app(database_url: str) -> Any:
    import procrastinate

    app = procrastinate.App(
        connector=procrastinate.PsycopgConnector(conninfo=conninfo(database_url))
    )
    for spec in all_tasks():
        runner = _runner(spec.name, database_url)
        retry = spec.retries or False
        app.task(name=spec.name, retry=retry, pass_context=False)(runner)
    return app


def _runner(name: str, database_url: str) -> Any:
    def run(**args: Any) -> None:
        run_task(name, args, database_url=database_url)

    run.__name__ = name.replace(".", "_")
    return run


def run_worker(database_url: str, *, concurrency: int, wait: bool = True) -> None:
    """Blocks until SIGINT/SIGTERM (or, with ``wait=False``, until the queue is empty)."""
    app = build_app(database_url)
    if wait:
        app.run_worker(concurrency=concurrency, wait=True, install_signal_handlers=True)
        return
    # procrastinate's run_worker calls asyncio.run(), which refuses to start inside a thread that
    # already runs an event loop (a caller embedded in async code): a draining run gets a thread
    # of its own, and .result() re-raises whatever it raised.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="procrastinate-drain") as pool:
        pool.submit(
            app.run_worker, concurrency=concurrency, wait=False, install_signal_handlers=False
        ).result()
