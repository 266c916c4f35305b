"""Shared fixtures: one migrated database per run, one rolled-back transaction per test.

Set ROOFOPS_TEST_DATABASE_URL to run the same suite on PostgreSQL; by default a fresh SQLite
file is used. The PostgreSQL database is wiped (schema public dropped) at the start of the run,
so point it at a database that exists for tests only.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

os.environ.setdefault("ROOFOPS_ENV", "test")
os.environ.setdefault("ROOFOPS_LOG_LEVEL", "WARNING")
# A fixed key for vendor secrets: without one, development mode would write a key file under var/.
os.environ.setdefault("ROOFOPS_ENCRYPTION_KEYS", "7w3PjU0mFQb2W1rD4j8hJb0n9Yk6mXkqJrQ0Zt3vO8E=")

from roofops import schema
from roofops.config import Settings, get_settings
from roofops.db import dispose_engines, get_engine
from tests.factories import ApiClient, make_api_client


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests run last. Playwright's sync API keeps an event loop running in the main
    thread for the rest of the session, so an asyncio test after it in the same process cannot
    start its own loop. Browser tests at the end of the collection are handed out by xdist after
    every other test, so each worker runs its asyncio tests first."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


TEST_DATABASE_ENV = "ROOFOPS_TEST_DATABASE_URL"


def _reset_postgres(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
        connection.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


def _own_postgres_database(url: str, worker: str) -> str:
    """pytest-xdist workers each get a database of their own (``<name>_gw0``...), created on
    the same server: two workers migrating and wiping one schema would trip over each other."""
    base = sa.engine.make_url(url)
    name = f"{base.database}_{worker}"
    admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.exec_driver_sql(
            "SELECT 1 FROM pg_database WHERE datname = %(name)s", {"name": name}
        ).first()
        if not exists:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get(TEST_DATABASE_ENV)
    if url:
        worker = os.environ.get("PYTEST_XDIST_WORKER")
        url = _own_postgres_database(url, worker) if worker else url
        _reset_postgres(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'roofops-test.db'}"
    os.environ["ROOFOPS_DATABASE_URL"] = url
    get_settings.cache_clear()
    schema.upgrade(url)
    yield url
    dispose_engines()


@pytest.fixture(autouse=True)
def leaves_no_business_rows(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test that commits to the shared database cleans up after itself: a leftover customer
    would make a later test (one that builds a demo company, say) fail far from the cause."""
    yield
    if "database_url" not in request.fixturenames:
        return
    from roofops.demo.repository import DemoRepository

    with Session(get_engine(request.getfixturevalue("database_url"))) as db:
        left = DemoRepository(db).tables_with_rows()
    assert not left, f"this test left committed rows behind in: {', '.join(left)}"


@pytest.fixture(scope="session")
def is_postgres(database_url: str) -> bool:
    return database_url.startswith("postgresql")


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return get_settings()


@pytest.fixture
def connection(database_url: str) -> Iterator[sa.Connection]:
    with get_engine(database_url).connect() as conn:
        transaction = conn.begin()
        yield conn
        if transaction.is_active:
            transaction.rollback()


@pytest.fixture
def session_maker(connection: sa.Connection) -> sessionmaker[Session]:
    """Sessions that commit to a SAVEPOINT of the test's transaction, which is rolled back."""
    return sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@pytest.fixture
def db(session_maker: sessionmaker[Session]) -> Iterator[Session]:
    session = session_maker()
    yield session
    session.close()


@pytest.fixture
def app(settings: Settings, session_maker: sessionmaker[Session]) -> FastAPI:
    from roofops.app import create_app

    return create_app(settings, session_maker, run_background=False)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client


@pytest.fixture
def api(client: TestClient, db: Session) -> ApiClient:
    """Call ``api.as_role(Role.OFFICE).get(...)`` for an authenticated client of that role."""
    return make_api_client(client, db)


@pytest.fixture
def tmp_dir(tmp_path: Path) -> Path:
    return tmp_path
