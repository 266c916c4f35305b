"""A real uvicorn server in a thread, on its own committed database (SQLite file or PG database)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
import uvicorn

from roofops import schema
from roofops.config import Settings
from roofops.db import get_engine, session_factory
from roofops.events.hub import get_hub


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def browser_database(test_url: str, tmp_dir: Path) -> Iterator[str]:
    """Browser tests need committed data, so they get a database of their own, dropped after."""
    if not test_url.startswith("postgresql"):
        url = f"sqlite:///{tmp_dir / 'browser.db'}"
        schema.upgrade(url)
        yield url
        get_engine(url).dispose()
        return
    base = sa.engine.make_url(test_url)
    name = f"{base.database}_browser"
    admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = base.set(database=name).render_as_string(hide_password=False)
    try:
        schema.upgrade(url)
        yield url
    finally:
        get_hub().stop_listening(url)  # a live page's SSE started it; the database goes now
        get_engine(url).dispose()
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@contextmanager
def serve(settings: Settings, url: str, *, port: int | None = None) -> Iterator[str]:
    """``port``: when the settings must know the server's URL beforehand (``base_url``)."""
    from roofops.app import create_app

    app = create_app(settings, session_factory(url), run_background=False)
    port = port or free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=1
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
