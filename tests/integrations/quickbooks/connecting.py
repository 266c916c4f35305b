"""Helpers of the connection and token tests: settings aimed at the fake, a connect, the row."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from pydantic import SecretStr
from sqlalchemy.orm import Session, sessionmaker

from roofops.auth.principal import Principal
from roofops.config import Settings
from roofops.integrations.core.credentials import read_credentials, secret_box
from roofops.integrations.core.repository import ConnectionRepository
from roofops.integrations.quickbooks.client import QuickBooksClient
from roofops.integrations.quickbooks.connection import ConnectionView, QuickBooksConnection
from roofops.kit.http import RateLimiter
from roofops.models import IntegrationConnection, Provider
from roofops.sandbox.quickbooks.fake import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from tests.integrations.quickbooks.conftest import Harness

TOKEN_PATH = "/oauth2/v1/tokens/bearer"
REVOKE_PATH = "/v2/oauth2/tokens/revoke"


def aimed_at(settings: Settings, qbo: Harness, **changes: Any) -> Settings:
    """Settings whose Intuit app, OAuth endpoints and API host are the fake's."""
    values: dict[str, Any] = {
        "base_url": "http://testserver",
        "qb_client_id": DEFAULT_CLIENT_ID,
        "qb_client_secret": SecretStr(DEFAULT_CLIENT_SECRET),
        "qb_authorize_url": f"{qbo.url}/connect/oauth2",
        "qb_token_url": f"{qbo.url}{TOKEN_PATH}",
        "qb_revoke_url": f"{qbo.url}{REVOKE_PATH}",
        "qb_base_url": qbo.url,
    }
    return settings.model_copy(update=values | changes)


def consent(authorize_url: str) -> dict[str, str]:
    """What the fake's consent screen sends the browser back with."""
    response = httpx.get(authorize_url, follow_redirects=False)
    assert response.status_code == 302
    query = parse_qs(urlsplit(response.headers["location"]).query)
    return {key: values[0] for key, values in query.items()}


def connect(
    db: Session, settings: Settings, service: QuickBooksConnection, principal: Principal
) -> ConnectionView:
    """The whole authorization-code flow, committed."""
    answer = consent(service.start_connect(db, settings, principal))
    view = service.complete_connect(
        db,
        settings,
        principal,
        code=answer["code"],
        state=answer["state"],
        realm_id=answer["realmId"],
    )
    db.commit()
    return view


@dataclass(frozen=True)
class Stored:
    connection: IntegrationConnection
    credentials: dict[str, Any]

    @property
    def access_token(self) -> str:
        return str(self.credentials["access_token"])

    @property
    def refresh_token(self) -> str:
        return str(self.credentials["refresh_token"])


def stored(sessions: sessionmaker[Session], settings: Settings) -> Stored:
    """The row as another process would read it now (committed state only)."""
    with sessions() as db:
        connection = ConnectionRepository(db).by_provider(Provider.QUICKBOOKS)
        assert connection is not None
        return Stored(connection, read_credentials(secret_box(settings), connection))


def client_of(
    service: QuickBooksConnection,
    sessions: sessionmaker[Session],
    settings: Settings,
    qbo: Harness,
    **options: Any,
) -> QuickBooksClient:
    options.setdefault("limiter", RateLimiter(1000.0, 1000, sleep=qbo.sleep))
    return service.client(sessions, settings, sleep=qbo.sleep, **options)


def token_calls(qbo: Harness) -> int:
    return qbo.fake.requests.count(method="POST", path_contains=TOKEN_PATH)
