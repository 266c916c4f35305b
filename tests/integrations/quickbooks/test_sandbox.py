"""The demo's sandbox QuickBooks: mounted in the app, connected through the real OAuth flow."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from roofops.auth.principal import SYSTEM
from roofops.config import Settings
from roofops.demo.repository import DemoRepository
from roofops.integrations.quickbooks.connection import QuickBooksConnection
from roofops.integrations.quickbooks.schemas import Invoice
from roofops.integrations.quickbooks.tokens import NotConnected
from roofops.models import ConnectionStatus, Role
from roofops.sandbox.demo import build_demo
from roofops.sandbox.quickbooks.fake import DEFAULT_REALM
from roofops.sandbox.quickbooks.sandbox import SANDBOX_COMPANY_NAME
from roofops.sandbox.quickbooks.sandbox import connect as connect_sandbox
from roofops.sandbox.server import free_port, serving
from tests.factories import make_user
from tests.integrations.quickbooks.connecting import stored
from tests.web.conftest import PASSWORD, csrf_from, login

API = "/api/v1/integrations/quickbooks"


@pytest.fixture
def demo(db: Session) -> None:
    # The demo wants an empty database, and some earlier tests commit rows for real; the wipe
    # is undone with the rest of this test's transaction.
    DemoRepository(db).wipe_business_data()
    build_demo(db, size=0.05, seed=3, as_of=date(2026, 6, 30))
    db.commit()


def _served(settings: Settings, sessions: sessionmaker[Session]) -> Iterator[Settings]:
    """The app on a real port, with the base URL (hence the sandbox URL) pointing at it."""
    from roofops.app import create_app

    port = free_port()
    local = settings.model_copy(update={"base_url": f"http://127.0.0.1:{port}"})
    with serving(create_app(local, sessions, run_background=False), port=port):
        yield local


@pytest.fixture
def served(
    demo: None, settings: Settings, session_maker: sessionmaker[Session]
) -> Iterator[Settings]:
    yield from _served(settings, session_maker)


def test_the_demo_leaves_quickbooks_configured_for_the_sandbox(
    db: Session, session_maker: sessionmaker[Session], served: Settings
) -> None:
    view = QuickBooksConnection().view(db, served)

    assert (view.status, view.origin) == (ConnectionStatus.NOT_CONFIGURED, "demo")
    assert view.can_connect
    with pytest.raises(NotConnected):
        QuickBooksConnection().client(session_maker, served)


def test_connect_sandbox_connects_and_calls_go_to_the_sandbox_over_http(
    session_maker: sessionmaker[Session], served: Settings
) -> None:
    view = connect_sandbox(session_maker, served)

    assert (view.status, view.origin, view.realm_id) == (
        ConnectionStatus.CONNECTED,
        "demo",
        DEFAULT_REALM,
    )
    assert view.company_name == SANDBOX_COMPANY_NAME
    with QuickBooksConnection().client(session_maker, served) as client:
        assert client.count(Invoice) > 0


def test_the_admin_connects_the_sandbox_from_the_browser(
    db: Session, session_maker: sessionmaker[Session], served: Settings
) -> None:
    user = make_user(db, role=Role.ADMIN, password=PASSWORD)
    db.commit()
    with httpx.Client(base_url=served.base_url) as browser:
        login(browser, user.email, PASSWORD)  # type: ignore[arg-type]
        csrf = csrf_from(browser.get("/settings").text)
        authorize = browser.post(f"{API}/connect", headers={"X-CSRF-Token": csrf})
        consent = browser.get(authorize.json()["authorize_url"])
        landed = browser.get(consent.headers["location"])

    assert authorize.json()["authorize_url"].startswith(f"{served.base_url}/sandbox/quickbooks/")
    assert landed.status_code == 303
    assert landed.headers["location"] == "/settings/integrations?saved=quickbooks-connected"
    assert stored(session_maker, served).connection.status == ConnectionStatus.CONNECTED


def test_a_restarted_app_still_honours_the_stored_sandbox_tokens(
    session_maker: sessionmaker[Session], settings: Settings, served: Settings
) -> None:
    connect_sandbox(session_maker, served)
    before = stored(session_maker, served).refresh_token

    for restarted in _served(settings, session_maker):
        # The new sandbox has never seen the stored access token: the 401 leads to one refresh.
        with QuickBooksConnection().client(session_maker, restarted) as client:
            assert client.count(Invoice) > 0

    assert stored(session_maker, served).refresh_token != before


def test_disconnecting_the_sandbox_revokes_and_allows_connecting_again(
    db: Session, session_maker: sessionmaker[Session], served: Settings
) -> None:
    connect_sandbox(session_maker, served)

    QuickBooksConnection().disconnect(db, served, SYSTEM)
    db.commit()

    view = QuickBooksConnection().view(db, served)
    assert (view.status, view.can_connect) == (ConnectionStatus.DISCONNECTED, True)
    assert connect_sandbox(session_maker, served).status == ConnectionStatus.CONNECTED


def test_outside_a_demo_database_there_is_no_sandbox(client: TestClient) -> None:
    assert client.get("/sandbox/quickbooks/connect/oauth2").status_code == 404
