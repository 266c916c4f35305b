"""The sandbox JobNimbus as an ASGI app mounted at /sandbox/jobnimbus (see sandbox.py)."""

from __future__ import annotations

import threading

import anyio.to_thread
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from roofops.config import Settings
from roofops.integrations.core.credentials import read_credentials, secret_box
from roofops.integrations.core.repository import ConnectionRepository
from roofops.integrations.jobnimbus.fake import create_fake_app
from roofops.integrations.jobnimbus.sandbox import SOURCE, sandbox_store
from roofops.models.company import CompanySettings


class SandboxApp:
    """Builds the fake on the first request (a second or two), only in a demo database."""

    def __init__(self, sessions: sessionmaker[Session], settings: Settings) -> None:
        self.sessions, self.settings = sessions, settings
        self._app: ASGIApp | None = None
        self._checked = False
        self._lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        app = await anyio.to_thread.run_sync(self._load)
        if app is None:
            app = PlainTextResponse("Not Found", status_code=404)
        await app(scope, receive, send)

    def _load(self) -> ASGIApp | None:
        with self._lock:
            if not self._checked:
                self._app = self._build()
                self._checked = True
            return self._app

    def _build(self) -> ASGIApp | None:
        with self.sessions() as db:
            company = db.scalar(sa.select(CompanySettings))
            connection = ConnectionRepository(db).by_provider(SOURCE)
            if company is None or not company.is_demo or connection is None:
                return None
            if connection.credentials_origin != "demo":
                return None
            key = read_credentials(secret_box(self.settings), connection)["api_key"]
        return create_fake_app(sandbox_store(company), api_key=key)
