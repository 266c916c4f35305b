"""The demo's sandbox QuickBooks: the demo company's books, served by the app itself.

``roofops demo`` leaves a QuickBooks connection with an OAuth app of its own whose hosts are the
sandbox, configured but not connected, so "Connect QuickBooks" runs the real authorization-code
flow against the fake (its consent screen approves at once) and every later call goes over HTTP
to ``{base_url}/sandbox/quickbooks``. To the QuickBooks integration this is an ordinary
connection with its own app and hosts; only this package knows that a fake answers there.

Like any vendor API it is public, and answers only to the app credentials kept encrypted in the
demo's connection.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from urllib.parse import parse_qs, urlsplit

import httpx
from sqlalchemy.orm import Session, sessionmaker
from starlette.types import ASGIApp

from roofops.auth.principal import SYSTEM
from roofops.config import Settings
from roofops.exceptions import ConfigurationError
from roofops.integrations.core.credentials import read_credentials, secret_box, write_credentials
from roofops.integrations.core.repository import ConnectionRepository
from roofops.integrations.quickbooks.connection import QuickBooksView, quickbooks_connection
from roofops.integrations.quickbooks.oauth import OAuthEndpoints
from roofops.integrations.quickbooks.tokens import API_BASE_URL_OPTION, OAUTH_OPTION
from roofops.kit.crypto import random_token
from roofops.models.enums import ConnectionStatus, Provider
from roofops.models.integration import IntegrationConnection
from roofops.sandbox.demo_company import DemoCompany
from roofops.sandbox.quickbooks.app import sandbox_app
from roofops.sandbox.quickbooks.fake import DEFAULT_REALM

SANDBOX_PATH = "/sandbox/quickbooks"
PROVIDER = Provider.QUICKBOOKS
ORIGIN_DEMO = "demo"
SANDBOX_CLIENT_ID = "roofops-demo-sandbox"
SANDBOX_COMPANY_NAME = "Sandbox company (demo books)"
CONSENT_TIMEOUT = httpx.Timeout(120.0, connect=5.0)


def sandbox_url(settings: Settings) -> str:
    """Root of the sandbox: its OAuth endpoints and the ``/v3`` API both live under it."""
    return f"{settings.base_url.rstrip('/')}{SANDBOX_PATH}"


def point_at_sandbox(connection: IntegrationConnection, settings: Settings) -> None:
    """The connection's hosts: the sandbox under this server's own address."""
    root = sandbox_url(settings)
    connection.options = {
        **(connection.options or {}),
        API_BASE_URL_OPTION: root,
        OAUTH_OPTION: asdict(OAuthEndpoints.at(root)),
    }


# ----- at demo build time -------------------------------------------------------------------
def prepare_demo_connection(db: Session, settings: Settings) -> None:
    """A QuickBooks connection with the sandbox's app, waiting for the admin's Connect."""
    connection = IntegrationConnection(
        provider=PROVIDER,
        status=ConnectionStatus.NOT_CONFIGURED,
        account_id=DEFAULT_REALM,
        account_name=SANDBOX_COMPANY_NAME,
    )
    app_credentials = {"client_id": SANDBOX_CLIENT_ID, "client_secret": random_token(24)}
    write_credentials(secret_box(settings), connection, app_credentials, ORIGIN_DEMO)
    point_at_sandbox(connection, settings)
    db.add(connection)
    db.flush()


# ----- at serve time ------------------------------------------------------------------------
def prepare_app(
    db: Session, settings: Settings, company: DemoCompany
) -> Callable[[], ASGIApp] | None:
    """Reads what the sandbox needs now; the returned builder makes the books (seconds)."""
    connection = ConnectionRepository(db).by_provider(PROVIDER)
    if connection is None or connection.credentials_origin != ORIGIN_DEMO:
        return None
    document = read_credentials(secret_box(settings), connection)
    realm_id = connection.account_id or DEFAULT_REALM
    point_at_sandbox(connection, settings)
    return lambda: sandbox_app(company, document, realm_id)


# ----- connecting without a browser (tests and scripts) ------------------------------------
def connect(sessions: sessionmaker[Session], settings: Settings) -> QuickBooksView:
    """The demo's "Connect QuickBooks", run server-side through the same OAuth flow.

    Call it outside any transaction: the sandbox answers over HTTP from the serving app.
    """
    with sessions.begin() as db:
        consent_url = quickbooks_connection.start_connect(db, settings, SYSTEM)
    answer = _consent(consent_url)
    with sessions.begin() as db:
        return quickbooks_connection.complete_connect(
            db,
            settings,
            SYSTEM,
            code=answer.get("code", ""),
            state=answer.get("state", ""),
            realm_id=answer.get("realmId", ""),
            error=answer.get("error", ""),
        )


def _consent(url: str) -> dict[str, str]:
    """What the sandbox's consent screen sends back (it approves at once, with a redirect)."""
    response = httpx.get(url, follow_redirects=False, timeout=CONSENT_TIMEOUT)
    location = response.headers.get("location", "")
    if response.status_code != 302 or not location:
        raise ConfigurationError(
            f"the QuickBooks sandbox did not redirect (HTTP {response.status_code})"
        )
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}
