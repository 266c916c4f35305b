"""One JobNimbus fake on a real local port for the whole session; state is reset per test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette

from roofops.auth.principal import SYSTEM
from roofops.composition import register_background_work
from roofops.config import Settings
from roofops.integrations.jobnimbus.client import JobNimbusClient
from roofops.integrations.jobnimbus.service import SYNC_RETRY, jobnimbus_service
from roofops.kit.http import RateLimiter, RetryPolicy
from roofops.sandbox.jobnimbus.demo_data import demo_store
from roofops.sandbox.jobnimbus.fake import (
    FakeJobNimbusStore,
    Faults,
    RequestLog,
    create_fake_app,
    serve_fake,
)

if TYPE_CHECKING:
    from tests.integrations.jobnimbus.syncing import Syncer

API_KEY = "jilqy9efy8jk79v9"
DEMO_JOBS = 5000


class RecordingSleep:
    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@dataclass
class Clock:
    now: datetime = field(default_factory=lambda: datetime(2025, 6, 2, 9, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


@dataclass
class FakeJobNimbus:
    app: Starlette
    url: str
    demo: FakeJobNimbusStore

    @property
    def faults(self) -> Faults:
        faults: Faults = self.app.state.faults
        return faults

    @property
    def requests(self) -> RequestLog:
        log: RequestLog = self.app.state.requests
        return log

    def use(self, store: FakeJobNimbusStore) -> FakeJobNimbusStore:
        """Serve another store for this test (the demo store is shared and read-only)."""
        self.app.state.store = store
        return store


@pytest.fixture(scope="session", autouse=True)
def background_work() -> None:
    """Saving a map queues a resync, as the app does: its task must be registered."""
    register_background_work()


@pytest.fixture(scope="session")
def running_fake() -> Iterator[FakeJobNimbus]:
    demo = demo_store(DEMO_JOBS)
    app = create_fake_app(demo, api_key=API_KEY)
    with serve_fake(app) as url:
        yield FakeJobNimbus(app, url, demo)


@pytest.fixture(scope="session")
def raw_http(running_fake: FakeJobNimbus) -> Iterator[httpx.Client]:
    """Plain HTTP to the fake, for checking the wire format itself (no key unless given)."""
    with httpx.Client(base_url=running_fake.url, timeout=5) as http:
        yield http


@pytest.fixture
def fake(running_fake: FakeJobNimbus) -> FakeJobNimbus:
    running_fake.app.state.store = running_fake.demo
    running_fake.app.state.faults = Faults()
    running_fake.requests.clear()
    return running_fake


@pytest.fixture
def sleep() -> RecordingSleep:
    return RecordingSleep()


@pytest.fixture
def make_client(
    fake: FakeJobNimbus, sleep: RecordingSleep
) -> Iterator[Callable[..., JobNimbusClient]]:
    clients: list[JobNimbusClient] = []

    def make(api_key: str = API_KEY, retry: RetryPolicy | None = None) -> JobNimbusClient:
        client = JobNimbusClient(
            api_key,
            base_url=fake.url,
            sleep=sleep,
            retry=retry,
            # Politeness is tested on its own; here it would only slow the suite down.
            limiter=RateLimiter(10_000, 10_000),
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def client(make_client: Callable[..., JobNimbusClient]) -> JobNimbusClient:
    return make_client()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def connect(
    fake: FakeJobNimbus, db: Session, settings: Settings, sleep: RecordingSleep
) -> Callable[..., Callable[[str, str], JobNimbusClient]]:
    """Stores the key (checked against the fake) and returns the client factory syncs use."""

    def factory_for(api_key: str = API_KEY, **client_args: Any) -> Callable[..., JobNimbusClient]:
        def factory(key: str, base_url: str) -> JobNimbusClient:
            return JobNimbusClient(
                key,
                base_url=base_url,
                sleep=sleep,
                limiter=RateLimiter(10_000, 10_000),
                retry=SYNC_RETRY,
                **client_args,
            )

        jobnimbus_service.connect(
            db, settings, SYSTEM, api_key, base_url=fake.url, client_factory=factory
        )
        db.commit()
        return factory

    return factory_for


@pytest.fixture
def syncer(
    connect: Callable[..., Callable[[str, str], JobNimbusClient]],
    session_maker: sessionmaker[Session],
    settings: Settings,
) -> Syncer:
    from tests.integrations.jobnimbus.syncing import Syncer

    return Syncer(session_maker, settings, connect)
