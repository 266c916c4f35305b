"""The demo's sandbox QuickBooks: the fake company's books, served by the app itself.

``roofops demo`` leaves a QuickBooks connection that is configured for the sandbox but not
connected, so "Connect QuickBooks" runs the real authorization-code flow against the fake (its
consent screen approves at once) and every later call goes over HTTP to
``{base_url}/sandbox/quickbooks``. The fake is built on first use from the same deterministic
generator as the demo company (see sandbox_app.py).

Like any vendor API it is public, and answers only to the app credentials kept encrypted in the
demo's connection.
"""

from __future__ import annotations

import httpx
from sqlalchemy.orm import Session

from roofops.config import Settings
from roofops.demo.generator import generate
from roofops.integrations.core.credentials import secret_box, write_credentials
from roofops.integrations.quickbooks.fake_books import build_books
from roofops.integrations.quickbooks.fake_store import Books, Clock
from roofops.kit.crypto import random_token
from roofops.logging import get_logger
from roofops.models.company import CompanySettings
from roofops.models.enums import ConnectionStatus, Provider
from roofops.models.integration import IntegrationConnection

log = get_logger(__name__)

SANDBOX_PATH = "/sandbox/quickbooks"
PROVIDER = Provider.QUICKBOOKS
ORIGIN_DEMO = "demo"
SANDBOX_CLIENT_ID = "roofops-demo-sandbox"
SANDBOX_COMPANY_NAME = "Sandbox company (demo books)"
# Building the books of a large demo company takes a few seconds.
WAKE_TIMEOUT = httpx.Timeout(120.0, connect=5.0)


def sandbox_url(settings: Settings) -> str:
    """Root of the sandbox: its OAuth endpoints and the ``/v3`` API both live under it."""
    return f"{settings.base_url.rstrip('/')}{SANDBOX_PATH}"


# ----- at demo build time -------------------------------------------------------------------
def prepare_demo_connection(db: Session, settings: Settings) -> None:
    """A QuickBooks connection configured for the sandbox, waiting for the admin's Connect."""
    connection = IntegrationConnection(
        provider=PROVIDER, status=ConnectionStatus.NOT_CONFIGURED, options={"sandbox": True}
    )
    app_credentials = {"client_id": SANDBOX_CLIENT_ID, "client_secret": random_token(24)}
    write_credentials(secret_box(settings), connection, app_credentials, ORIGIN_DEMO)
    db.add(connection)
    db.flush()


# ----- at serve time ------------------------------------------------------------------------
def sandbox_books(company: CompanySettings, clock: Clock) -> Books:
    """The demo company's books, as its bookkeeper would have kept them in QuickBooks."""
    assert company.demo_size is not None
    assert company.demo_seed is not None
    assert company.demo_as_of is not None
    data = generate(float(company.demo_size), company.demo_seed, company.demo_as_of)
    return build_books(data, clock=clock).books


def wake_sandbox(settings: Settings) -> None:
    """Have the app build its sandbox before anyone holds a database transaction.

    The sandbox reads the demo company on its first request. On SQLite every transaction takes
    the write lock, so a first request made while the token store holds its refresh lock would
    wait for that very lock until the busy timeout.
    """
    try:
        httpx.get(f"{sandbox_url(settings)}/", timeout=WAKE_TIMEOUT)
    except httpx.HTTPError as error:
        log.warning("quickbooks.sandbox.unreachable", url=sandbox_url(settings), error=str(error))
