"""The background runtime of one process: executor, heartbeat, cron and the event listener."""

from __future__ import annotations

from typing import Literal, Protocol

from roofops.config import Settings
from roofops.logging import get_logger
from roofops.worker.identity import worker_id

log = get_logger(__name__)


class _Stoppable(Protocol):
    def stop(self) -> None: ...


class Runtime:
    """What ``start_runtime`` started, stopped in reverse order."""

    def __init__(self) -> None:
        self.parts: list[_Stoppable] = []

    def stop(self) -> None:
        for part in reversed(self.parts):
            try:
                part.stop()
            except Exception:
                log.exception("runtime.stop_failed", part=type(part).__name__)
        self.parts.clear()


def start_runtime(settings: Settings, role: Literal["web", "worker"]) -> Runtime:
    """Web and worker processes alike: embedded executor on SQLite, cron; live events for web.

    On PostgreSQL, jobs run in ``roofops worker`` (procrastinate), which starts its own loop.
    The caller has registered the tasks (roofops.composition).
    """
    runtime = Runtime()
    url = settings.database_url
    if settings.is_sqlite:
        _start_embedded_executor(runtime, settings, role)
    if settings.cron_enabled:
        _start_cron(runtime, url, role)
    if role == "web":  # its SSE subscribers get the events other processes publish
        from roofops.events.hub import get_hub

        runtime.parts.append(get_hub().listen(url))
    log.info(
        "runtime.started", role=role, database="sqlite" if settings.is_sqlite else "postgresql"
    )
    return runtime


def _start_embedded_executor(runtime: Runtime, settings: Settings, role: str) -> None:
    from roofops.worker.embedded import EmbeddedExecutor
    from roofops.worker.heartbeat import Heartbeat

    me = worker_id(f"{role}-embedded")
    heartbeat = Heartbeat(
        settings.database_url,
        worker_id=me,
        kind="embedded",
        interval=settings.worker_heartbeat_seconds,
    )
    heartbeat.start()
    runtime.parts.append(heartbeat)
    executor = EmbeddedExecutor(
        settings.database_url,
        worker_id=me,
        threads=min(settings.worker_concurrency, 2),
        stale_seconds=settings.worker_stale_seconds,
    )
    executor.start()
    runtime.parts.append(executor)


def _start_cron(runtime: Runtime, url: str, role: str) -> None:
    from roofops.worker.cron import CronScheduler

    scheduler = CronScheduler(database_url=url, claimed_by=worker_id(f"{role}-cron"))
    scheduler.start()
    runtime.parts.append(scheduler)
