"""Live events: published in a transaction, delivered after commit, across processes."""

from __future__ import annotations

import asyncio
import contextlib
import json
import queue
import threading
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
import sqlalchemy as sa

from roofops.auth.permissions import Permission
from roofops.auth.service import auth_service, user_service
from roofops.db import session_scope
from roofops.events.bus import publish
from roofops.events.hub import get_hub
from roofops.models import Customer, Job, Property, Role, User
from tests.events.server import bearer, running_server
from tests.factories import make_job


@pytest.fixture
def committed_token(database_url: str) -> Iterator[str]:
    email = f"sse-{uuid.uuid4().hex[:8]}@example.com"
    with session_scope(database_url) as db:
        user, _ = user_service.create(db, email=email, role=Role.OFFICE)
        token = auth_service.create_api_token(db, user_id=user.id, name="sse").raw_token
    yield token
    with session_scope(database_url) as db:
        db.execute(sa.delete(User).where(User.email == email))


def test_in_process_delivery_after_commit_only(database_url: str, is_postgres: bool) -> None:
    if is_postgres:
        pytest.skip("on PostgreSQL delivery goes through LISTEN/NOTIFY (tested across processes)")
    # The outbox poller (started by the server's runtime) skips this process's own rows: the
    # subscriber below gets each event once, at commit.
    get_hub().listen(database_url)

    async def scenario() -> list[tuple[str, dict[str, object]]]:
        with get_hub().subscribe(frozenset({"tests.ping"}), Role.VIEWER) as subscription:
            with pytest.raises(RuntimeError, match="rolled back"):
                publish_then_fail(database_url)
            with session_scope(database_url) as db:
                publish(db, "tests.ping", {"n": 2}, seen_with=Permission.VIEW_JOBS)
                publish(db, "tests.other", {"n": 3}, seen_with=Permission.VIEW_JOBS)
            await asyncio.sleep(0.6)  # past two polls of the outbox
            received = []
            while not subscription.queue.empty():
                received.append(subscription.queue.get_nowait())
            return received

    assert asyncio.run(scenario()) == [("tests.ping", {"n": 2})]


def publish_then_fail(url: str) -> None:
    with session_scope(url) as db:
        publish(db, "tests.ping", {"n": 1}, seen_with=Permission.VIEW_JOBS)
        raise RuntimeError("rolled back")


def test_oversized_event_is_refused(database_url: str) -> None:
    with session_scope(database_url) as db, pytest.raises(ValueError, match="ids only"):
        publish(db, "tests.big", {"blob": "x" * 8000}, seen_with=Permission.VIEW_JOBS)


class StreamReader(threading.Thread):
    """Reads an SSE stream in the background and hands over (event, data) pairs."""

    def __init__(self, url: str, token: str) -> None:
        super().__init__(daemon=True)
        self.url, self.token = url, token
        self.events: queue.Queue[tuple[str, dict[str, object]]] = queue.Queue()
        self.connected = threading.Event()

    def run(self) -> None:
        # The test server shutting down under the open stream is the normal end of this reader.
        with contextlib.suppress(httpx.TransportError):
            self._read()

    def _read(self) -> None:
        with httpx.stream("GET", self.url, headers=bearer(self.token), timeout=30) as response:
            self.connected.set()
            event = ""
            for line in response.iter_lines():
                if line.startswith("event:"):
                    event = line.removeprefix("event:").strip()
                elif line.startswith("data:") and event:
                    self.events.put((event, json.loads(line.removeprefix("data:"))))

    def next_event(self, seconds: float) -> tuple[str, dict[str, object]] | None:
        try:
            return self.events.get(timeout=seconds)
        except queue.Empty:
            return None


@pytest.mark.slow
def test_stage_move_on_the_server_reaches_its_sse_subscribers(
    database_url: str, committed_token: str
) -> None:
    with session_scope(database_url) as db:
        job = make_job(db)
        job_id, number = job.id, job.number
        property_id, customer_id = job.property_id, job.customer_id
    try:
        with running_server(database_url, committed_token) as base:
            reader = StreamReader(f"{base}/api/v1/events?topics=job.stage_changed", committed_token)
            reader.start()
            assert reader.connected.wait(10)
            time.sleep(0.3)  # let the server register the subscription
            moved = httpx.post(
                f"{base}/api/v1/jobs/{job_id}/stage",
                json={"stage": "inspection"},
                headers=bearer(committed_token),
            )
            assert moved.status_code == 200, moved.text
            event = reader.next_event(10)
    finally:
        with session_scope(database_url) as db:
            db.execute(sa.delete(Job).where(Job.id == job_id))
            db.execute(sa.delete(Property).where(Property.id == property_id))
            db.execute(sa.delete(Customer).where(Customer.id == customer_id))
    assert event is not None
    assert event[0] == "job.stage_changed"
    assert event[1]["number"] == number


@pytest.mark.slow
def test_event_published_in_another_process_reaches_sse(
    database_url: str, committed_token: str
) -> None:
    """LISTEN/NOTIFY on PostgreSQL, the outbox on SQLite: this test process publishes, the
    server (another process: a second web worker, `roofops worker`) streams it."""
    with running_server(database_url, committed_token) as base:
        reader = StreamReader(f"{base}/api/v1/events?topics=tests.cross", committed_token)
        reader.start()
        assert reader.connected.wait(10)
        event, latency = _publish_until_received(database_url, reader)
    assert event == ("tests.cross", {"from": "test process"})
    print(f"cross-process SSE latency: {latency * 1000:.0f} ms")


def _publish_until_received(
    url: str, reader: StreamReader
) -> tuple[tuple[str, dict[str, object]] | None, float]:
    # The server registers the subscription just after the headers go out: retry briefly.
    for _ in range(20):
        started = time.perf_counter()
        with session_scope(url) as db:
            publish(db, "tests.cross", {"from": "test process"}, seen_with=Permission.VIEW_JOBS)
        event = reader.next_event(0.5)
        if event is not None:
            return event, time.perf_counter() - started
    return None, 0.0
