"""Several web worker processes on one port, each listening on a socket of its own.

Python runs one request's code at a time per process, so a second core needs a second
process. uvicorn's own ``--workers`` shares one listening socket: the worker that wakes first
accepts a whole burst of new connections (asyncio accepts up to the backlog per wake-up), and
keep-alive holds them there, so under load one worker was busy while the other idled (measured
at 95% and 19% CPU). With ``SO_REUSEPORT`` each worker has its own accept queue and the kernel
spreads connections over them, as nginx's ``reuseport`` does.

The supervisor restarts a worker that dies, and stops them all on SIGINT or SIGTERM (each
finishes its requests: uvicorn's graceful shutdown).
"""

from __future__ import annotations

import multiprocessing
import signal
import socket
import threading
import time
from multiprocessing.process import BaseProcess
from typing import Any

from roofops.logging import get_logger

log = get_logger(__name__)
APP = "roofops.app:create_app"
# A worker that dies this soon after it started will die again: stop instead of looping.
EARLY_DEATH_SECONDS = 10.0


def can_share_port() -> bool:
    return hasattr(socket, "SO_REUSEPORT")


def serve_workers(count: int, host: str, port: int, options: dict[str, Any]) -> None:
    """Run ``count`` workers serving the app on host:port until a stop signal."""
    try:
        _reuse_port_socket(host, port).close()  # the port is free to share
    except OSError as error:
        raise SystemExit(f"cannot listen on {host}:{port}: {error.strerror}") from error
    stop = threading.Event()
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop_signal, lambda *_: stop.set())
    workers = [_start(host, port, options) for _ in range(count)]
    try:
        _supervise(workers, stop, host, port, options)
    finally:
        for worker, _ in workers:
            worker.terminate()
        for worker, _ in workers:
            worker.join(timeout=30)


def _supervise(
    workers: list[tuple[BaseProcess, float]],
    stop: threading.Event,
    host: str,
    port: int,
    options: dict[str, Any],
) -> None:
    while not stop.wait(1.0):
        for index, (worker, started) in enumerate(workers):
            if worker.is_alive():
                continue
            if time.monotonic() - started < EARLY_DEATH_SECONDS:
                raise SystemExit(f"a web worker stopped at start-up (exit code {worker.exitcode})")
            log.warning("serve.worker.restarted", pid=worker.pid, exit_code=worker.exitcode)
            workers[index] = _start(host, port, options)


def _start(host: str, port: int, options: dict[str, Any]) -> tuple[BaseProcess, float]:
    # spawn, not fork: a worker starts from a clean interpreter, as uvicorn's own workers do.
    worker = multiprocessing.get_context("spawn").Process(
        target=_run_worker, args=(host, port, options), name="roofops-web"
    )
    worker.start()
    return worker, time.monotonic()


def _run_worker(host: str, port: int, options: dict[str, Any]) -> None:
    import uvicorn

    config = uvicorn.Config(APP, factory=True, host=host, port=port, **options)
    uvicorn.Server(config).run(sockets=[_reuse_port_socket(host, port)])


def _reuse_port_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    listener.bind((host, port))
    return listener
