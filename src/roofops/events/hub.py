"""One event hub per process: fans events out to SSE subscribers.

Subscribers are asyncio queues on the server's event loop; delivery comes from other threads
(the after-commit hook, the LISTEN thread on PostgreSQL, the outbox poller on SQLite), so it
goes through ``call_soon_threadsafe``. A slow subscriber loses events rather than slowing
everyone else.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from roofops.auth.permissions import Permission
from roofops.logging import get_logger
from roofops.models.enums import Role

log = get_logger(__name__)
CHANNEL = "roofops_events"
QUEUE_SIZE = 256
OUTBOX_POLL_SECONDS = 0.25
Event = tuple[str, dict[str, Any]]


class _ThisProcess:
    """Names this process in the outbox, so that its poller skips what it delivered itself.
    The pid is read each time: a forked child must not take its parent's name."""

    _boot = uuid.uuid4().hex[:16]

    @property
    def id(self) -> str:
        return f"{self._boot}-{os.getpid()}"


THIS_PROCESS = _ThisProcess()


@dataclass(eq=False)
class Subscription:
    topics: frozenset[str]
    role: Role
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[Event] = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))

    def wants(self, topic: str, seen_with: Permission) -> bool:
        """A topic it asked for (or all), and an event its role may see."""
        return (not self.topics or topic in self.topics) and seen_with.allows(self.role)

    def offer(self, event: Event) -> None:
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            log.warning("events.subscriber.dropped", topic=event[0])


class EventHub:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscriptions: set[Subscription] = set()
        self._listener: PostgresListener | OutboxPoller | None = None

    @contextmanager
    def subscribe(self, topics: frozenset[str], role: Role) -> Iterator[Subscription]:
        subscription = Subscription(topics, role, asyncio.get_running_loop())
        with self._lock:
            self._subscriptions.add(subscription)
        try:
            yield subscription
        finally:
            with self._lock:
                self._subscriptions.discard(subscription)

    def deliver(self, topic: str, payload: dict[str, Any], seen_with: Permission) -> None:
        with self._lock:
            targets = [sub for sub in self._subscriptions if sub.wants(topic, seen_with)]
        for subscription in targets:
            subscription.loop.call_soon_threadsafe(subscription.offer, (topic, payload))

    def listen(self, database_url: str) -> PostgresListener | OutboxPoller:
        """Start (once per process) what feeds this hub the other processes' events: the
        LISTEN connection on PostgreSQL, the outbox poller on SQLite."""
        with self._lock:
            if self._listener is None or not self._listener.is_alive():
                kind = OutboxPoller if database_url.startswith("sqlite") else PostgresListener
                self._listener = kind(self, database_url)
                self._listener.start()
            return self._listener

    def deliver_message(self, raw: str) -> None:
        """An event as ``publish`` wrote it (JSON of topic, payload and permission)."""
        message = json.loads(raw)
        self.deliver(message["topic"], message["payload"], Permission(message["permission"]))

    def stop_listening(self, database_url: str) -> None:
        """Stop the LISTEN connection to this database (it is about to go away)."""
        with self._lock:
            listener, self._listener = self._listener, None
        if listener is not None and listener.database_url == database_url:
            listener.stop()
        elif listener is not None:
            with self._lock:
                self._listener = listener


class PostgresListener(threading.Thread):
    """LISTEN on one dedicated connection; reconnects after failures."""

    def __init__(self, hub: EventHub, database_url: str) -> None:
        super().__init__(name="roofops-events-listener", daemon=True)
        self.hub = hub
        self.database_url = database_url
        self.conninfo = database_url.replace("postgresql+psycopg://", "postgresql://", 1)
        self.ready = threading.Event()
        self._stopping = threading.Event()

    def stop(self) -> None:
        self._stopping.set()
        self.join(5)

    def run(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            try:
                self._listen()
                failures = 0
            except Exception as error:
                failures += 1
                # The first failure with its traceback; while the database stays away, one line.
                if failures == 1:
                    log.exception("events.listener.failed")
                else:
                    log.warning("events.listener.retrying", failures=failures, error=str(error))
                self._stopping.wait(2)

    def _listen(self) -> None:
        import psycopg

        with psycopg.connect(self.conninfo, autocommit=True) as connection:
            connection.execute(f"LISTEN {CHANNEL}")
            self.ready.set()
            while not self._stopping.is_set():
                for notify in connection.notifies(timeout=1.0):
                    self.hub.deliver_message(notify.payload)


class OutboxPoller(threading.Thread):
    """Reads the SQLite event outbox a few times a second and delivers what other processes
    published (this process's own events reached its subscribers at commit)."""

    def __init__(self, hub: EventHub, database_url: str) -> None:
        super().__init__(name="roofops-events-poller", daemon=True)
        self.hub = hub
        self.database_url = database_url
        self.ready = threading.Event()
        self._stopping = threading.Event()

    def stop(self) -> None:
        self._stopping.set()
        self.join(5)

    def run(self) -> None:
        last_id: int | None = None
        failing = False
        while not self._stopping.is_set():
            try:
                last_id = self._deliver_new(last_id)
                failing = False
            except Exception:
                if not failing:  # once per outage, not four times a second
                    log.exception("events.poller.failed")
                failing = True
            self._stopping.wait(OUTBOX_POLL_SECONDS)

    def _deliver_new(self, last_id: int | None) -> int:
        """Delivers the events after ``last_id`` (None: the first poll, which starts from the
        newest: live events are from now on) and returns the newest id seen."""
        from roofops.db import session_factory, unit_of_work
        from roofops.events.repository import OutboxRepository

        with unit_of_work(session_factory(self.database_url), read_only=True) as db:
            outbox = OutboxRepository(db)
            if last_id is None:
                self.ready.set()
                return outbox.newest_id()
            for event_id, origin, raw in outbox.after(last_id):
                last_id = event_id
                if origin != THIS_PROCESS.id:
                    self.hub.deliver_message(raw)
        return last_id


_hub = EventHub()


def get_hub() -> EventHub:
    return _hub
