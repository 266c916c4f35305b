"""The sandbox QuickBooks as an ASGI app: the fake, holding the demo company's books."""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp

from roofops.sandbox.demo_company import DemoCompany
from roofops.sandbox.quickbooks.books import build_books
from roofops.sandbox.quickbooks.fake import FakeQuickBooks
from roofops.sandbox.quickbooks.oauth import (
    REFRESH_HARD_LIFETIME,
    REFRESH_LIFETIME,
    Grant,
    TokenAuthority,
)


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


def sandbox_app(company: DemoCompany, credentials: dict[str, Any], realm_id: str) -> ASGIApp:
    """The fake with the demo's books, answering to the app credentials of its connection."""
    fake = FakeQuickBooks(
        client_id=credentials["client_id"], client_secret=credentials["client_secret"]
    )
    authority = SandboxAuthority(fake.clock, fake.auth.client_id, fake.auth.client_secret)
    fake.auth = authority
    fake.add_company(realm_id, build_books(company.data(), clock=fake.clock).books)
    if credentials.get("refresh_token"):
        authority.adopt(realm_id, str(credentials["refresh_token"]))
    return fake.app()
