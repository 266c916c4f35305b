"""Background work for live-server tests: the live server runs none of its own
(run_background=False), so a test that queues work starts the worker the deployment would run."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, suppress

from roofops.composition import register_background_work


@contextmanager
def embedded_worker(url: str) -> Iterator[None]:
    """SQLite: the executor ``roofops serve`` runs, woken in-process when a request enqueues."""
    from roofops.worker.embedded import EmbeddedExecutor

    executor = EmbeddedExecutor(url, worker_id="browser-test", threads=1, stale_seconds=60)
    executor.start()
    try:
        yield
    finally:
        executor.stop()


@contextmanager
def procrastinate_worker(url: str) -> Iterator[None]:
    """PostgreSQL: what ``roofops worker`` runs, on an event loop of its own, until told to stop."""
    from roofops.worker.procrastinate_app import build_app

    app, stop = build_app(url), threading.Event()

    async def work() -> None:
        async with app.open_async():
            options = {"concurrency": 1, "wait": True, "install_signal_handlers": False}
            worker = asyncio.create_task(app.run_worker_async(**options))
            while not stop.is_set() and not worker.done():
                await asyncio.sleep(0.05)
            worker.cancel()
            with suppress(asyncio.CancelledError):
                await worker

    thread = threading.Thread(target=asyncio.run, args=(work(),), daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)


def background_worker(url: str) -> AbstractContextManager[None]:
    """The worker for the live server's database: procrastinate on PostgreSQL, else embedded."""
    register_background_work()
    return procrastinate_worker(url) if url.startswith("postgresql") else embedded_worker(url)
