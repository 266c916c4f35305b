"""Mounting the sandboxes, in a demo database only.

When the app starts on a database that holds the demo company, each sandbox reads what it needs
(the demo company, its connection's credentials), points the demo's connection at itself under
this server's address, and builds its fake in a background thread: a request that arrives
before the build is done waits for it. Nothing reads the database after start-up, so a vendor
call made inside a database transaction can never wait on the sandbox's own reads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

import anyio.to_thread
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from roofops.config import Settings
from roofops.exceptions import ConfigurationError
from roofops.kit.heap import settle_heap
from roofops.logging import get_logger
from roofops.sandbox.demo_company import DemoCompany, demo_company
from roofops.sandbox.jobnimbus import sandbox as jobnimbus
from roofops.sandbox.openmeteo import sandbox as openmeteo
from roofops.sandbox.osrm import sandbox as osrm
from roofops.sandbox.quickbooks import sandbox as quickbooks
from roofops.sandbox.server import answers, serving
from roofops.sandbox.xero import sandbox as xero

log = get_logger(__name__)

Prepare = Callable[[Session, Settings, DemoCompany], Callable[[], ASGIApp] | None]


@dataclass(frozen=True)
class Sandbox:
    name: str
    path: str
    prepare: Prepare


# Every sandbox lives under this path (its vendor's name follows).
SANDBOX_PREFIX = "/sandbox/"
SANDBOXES = (
    Sandbox("jobnimbus", jobnimbus.SANDBOX_PATH, jobnimbus.prepare_app),
    Sandbox("quickbooks", quickbooks.SANDBOX_PATH, quickbooks.prepare_app),
    Sandbox("xero", xero.SANDBOX_PATH, xero.prepare_app),
    Sandbox("openmeteo", openmeteo.SANDBOX_PATH, openmeteo.prepare_app),
    Sandbox("osrm", osrm.SANDBOX_PATH, osrm.prepare_app),
)


class BuiltInBackground:
    """An ASGI app whose real app is built by a thread started now; requests wait for it."""

    def __init__(self, name: str, build: Callable[[], ASGIApp]) -> None:
        self.name = name
        self._app: ASGIApp | None = None
        self._ready = threading.Event()
        threading.Thread(target=self._build, args=(build,), daemon=True).start()

    def _build(self, build: Callable[[], ASGIApp]) -> None:
        try:
            self._app = build()
            settle_heap()  # the fake's records live as long as the server
        except Exception:
            log.exception("sandbox.build_failed", sandbox=self.name)
        finally:
            self._ready.set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await anyio.to_thread.run_sync(self._ready.wait)
        app = self._app or PlainTextResponse("the sandbox could not be built", status_code=503)
        await app(scope, receive, send)


def mount_sandboxes(app: Starlette, sessions: sessionmaker[Session], settings: Settings) -> None:
    """Mounts every sandbox the demo database is connected to; nothing outside a demo."""
    try:
        builders = _prepare(sessions, settings)
    except sa.exc.DBAPIError:
        return  # no schema yet: `roofops serve` refuses to start and /health/ready says why
    for box, build in builders:
        app.mount(box.path, BuiltInBackground(box.name, build))
        log.info("sandbox.mounted", sandbox=box.name, path=box.path)


def _prepare(
    sessions: sessionmaker[Session], settings: Settings
) -> list[tuple[Sandbox, Callable[[], ASGIApp]]]:
    with sessions.begin() as db:
        company = demo_company(db)
        if company is None:
            return []
        prepared = [(box, _prepared(box, db, settings, company)) for box in SANDBOXES]
    return [(box, build) for box, build in prepared if build is not None]


def _prepared(
    box: Sandbox, db: Session, settings: Settings, company: DemoCompany
) -> Callable[[], ASGIApp] | None:
    """A sandbox that cannot start (its credentials encrypted under another key) is left out;
    the app still starts, and the integration says why its sync fails."""
    try:
        return box.prepare(db, settings, company)
    except ConfigurationError as error:
        log.warning("sandbox.unavailable", sandbox=box.name, reason=error.message)
        return None


@contextmanager
def sandboxes_served(sessions: sessionmaker[Session], settings: Settings) -> Iterator[bool]:
    """For a command run without `roofops serve`: the demo's sandboxes live inside the server,
    so while the command runs they are served on the server's own address (ROOFOPS_BASE_URL),
    where the demo's connections point. Yields whether it served them; outside a demo, or with
    the server running, it does nothing."""
    address = urlsplit(settings.base_url)
    host, port = address.hostname or "127.0.0.1", address.port or 80
    if answers(host, port):
        yield False
        return
    app = Starlette()
    mount_sandboxes(app, sessions, settings)
    if not app.routes:
        yield False
        return
    with serving(app, host=host, port=port):
        yield True
