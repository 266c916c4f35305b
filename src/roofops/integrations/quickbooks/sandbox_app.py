"""The sandbox QuickBooks as an ASGI app mounted at /sandbox/quickbooks (see sandbox.py)."""

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
from roofops.integrations.quickbooks.fake import DEFAULT_REALM, FakeQuickBooks
from roofops.integrations.quickbooks.fake_oauth import (
    REFRESH_HARD_LIFETIME,
    REFRESH_LIFETIME,
    Grant,
    TokenAuthority,
)
from roofops.integrations.quickbooks.sandbox import PROVIDER, sandbox_books
from roofops.models.company import CompanySettings


class SandboxAuthority(TokenAuthority):
    """The fake's token server, plus the refresh token the demo's connection already holds.

    The fake keeps its tokens in memory; without this a restart of ``roofops serve`` would
    strand a connected demo with ``invalid_grant``.
    """

    def adopt(self, realm_id: str, refresh_token: str) -> None:
        now = self.clock()
        grant = Grant(realm_id, refresh_token, now + REFRESH_LIFETIME, now + REFRESH_HARD_LIFETIME)
        with self._lock:
            self._refresh[refresh_token] = (grant, None)


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
            connection = ConnectionRepository(db).by_provider(PROVIDER)
            if company is None or not company.is_demo or connection is None:
                return None
            if not connection.options.get("sandbox"):
                return None
            document = read_credentials(secret_box(self.settings), connection)
            realm_id = connection.account_id or DEFAULT_REALM
        fake = FakeQuickBooks(
            client_id=document["client_id"], client_secret=document["client_secret"]
        )
        authority = SandboxAuthority(fake.clock, fake.auth.client_id, fake.auth.client_secret)
        fake.auth = authority
        fake.add_company(realm_id, sandbox_books(company, fake.clock))
        if document.get("refresh_token"):
            authority.adopt(realm_id, str(document["refresh_token"]))
        return fake.app()
