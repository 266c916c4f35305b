"""The demo's sandbox Xero: the demo company's books, served under ``/sandbox/xero``.

``roofops demo`` leaves a Xero connection with an OAuth app of its own whose hosts are the
sandbox, configured but not connected, so "Connect Xero" runs the real consent flow against the
fake (its consent page lists the sandbox organisation) and every later call goes over HTTP to
``{base_url}/sandbox/xero``. To the Xero integration this is an ordinary connection with its own
app and hosts; only this package knows that a fake answers there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session
from starlette.types import ASGIApp

from roofops.config import Settings
from roofops.integrations.core.credentials import read_credentials, secret_box, write_credentials
from roofops.integrations.core.repository import ConnectionRepository
from roofops.integrations.xero.connection import use_hosts
from roofops.integrations.xero.oauth import XeroEndpoints
from roofops.kit.crypto import random_token
from roofops.models.enums import ConnectionStatus, Provider
from roofops.models.integration import IntegrationConnection
from roofops.sandbox.demo_company import DemoCompany
from roofops.sandbox.xero.demo_books import fill_books
from roofops.sandbox.xero.fake import FakeXero

SANDBOX_PATH = "/sandbox/xero"
PROVIDER = Provider.XERO
ORIGIN_DEMO = "demo"
SANDBOX_CLIENT_ID = "roofops-demo-sandbox"
# Fixed, so that a connection survives a restart of the server (and of the fake).
SANDBOX_TENANT_ID = "5a4d0b5e-0d1c-4e6b-9a59-000000000001"
SANDBOX_ORGANISATION = "Sandbox organisation (demo books)"


def sandbox_url(settings: Settings) -> str:
    return f"{settings.base_url.rstrip('/')}{SANDBOX_PATH}"


def point_at_sandbox(connection: IntegrationConnection, settings: Settings) -> None:
    use_hosts(connection, XeroEndpoints.at(sandbox_url(settings)))


# ----- at demo build time -------------------------------------------------------------------
def prepare_demo_connection(db: Session, settings: Settings) -> None:
    """A Xero connection with the sandbox's app, waiting for the admin's Connect."""
    connection = IntegrationConnection(provider=PROVIDER, status=ConnectionStatus.NOT_CONFIGURED)
    app_credentials = {"client_id": SANDBOX_CLIENT_ID, "client_secret": random_token(24)}
    write_credentials(secret_box(settings), connection, app_credentials, ORIGIN_DEMO)
    point_at_sandbox(connection, settings)
    db.add(connection)
    db.flush()


# ----- at serve time ------------------------------------------------------------------------
def prepare_app(
    db: Session, settings: Settings, company: DemoCompany
) -> Callable[[], ASGIApp] | None:
    """Reads what the sandbox needs now; the returned builder makes the books."""
    connection = ConnectionRepository(db).by_provider(PROVIDER)
    if connection is None or connection.credentials_origin != ORIGIN_DEMO:
        return None
    document = read_credentials(secret_box(settings), connection)
    point_at_sandbox(connection, settings)
    return lambda: sandbox_app(company, document)


def sandbox_app(company: DemoCompany, credentials: dict[str, Any]) -> ASGIApp:
    """The fake with the demo's books, answering to the app credentials of its connection."""
    fake = FakeXero(
        client_id=str(credentials["client_id"]), client_secret=str(credentials["client_secret"])
    )
    books = fake.add_organisation(SANDBOX_ORGANISATION, SANDBOX_TENANT_ID)
    fill_books(books, company)
    if credentials.get("refresh_token"):
        fake.auth.adopt([SANDBOX_TENANT_ID], str(credentials["refresh_token"]))
    return fake.app()
