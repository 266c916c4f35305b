"""Switches and meters of the fake: injected faults, the request log and the rate limits.

Tests and the benchmark set these from another thread while the server runs, so every counter
that is consumed goes through a lock.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

ThrottleFormat = Literal["xml", "json"]


@dataclass
class Faults:
    """What goes wrong on purpose. Counters apply to the next N ``/v3`` requests.

    ``latency`` is added to every request (the benchmark uses 0.1 s); ``slow`` requests sleep
    ``slow_seconds`` instead, long enough to trip a client timeout. ``lost_writes`` commit a
    write and then answer 502, the case ``requestid`` replay exists for.
    """

    latency: float = 0.0
    throttle: int = 0
    throttle_format: ThrottleFormat = "xml"
    server_errors: int = 0
    server_error_status: int = 503
    slow: int = 0
    slow_seconds: float = 5.0
    lost_writes: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def take(self, name: Literal["throttle", "server_errors", "slow", "lost_writes"]) -> bool:
        """Use up one of the named counter, if any is left."""
        with self._lock:
            left: int = getattr(self, name)
            if left <= 0:
                return False
            setattr(self, name, left - 1)
            return True


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    query: dict[str, str]
    status: int


class RequestLog:
    """Every request the fake answered, oldest first, for tests to count and inspect."""

    def __init__(self) -> None:
        self._entries: list[LoggedRequest] = []
        self._lock = threading.Lock()

    def record(self, entry: LoggedRequest) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._entries)

    def count(self, *, method: str | None = None, path_contains: str = "") -> int:
        return sum(
            1
            for entry in self.entries()
            if (method is None or entry.method == method) and path_contains in entry.path
        )

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


@dataclass
class Limits:
    """Spec digest section 1.10, per realm: 10 a second, 500 a minute, 40 batches a minute."""

    enabled: bool = True
    per_second: int = 10
    per_minute: int = 500
    batches_per_minute: int = 40


class Throttle:
    """Sliding windows of accepted requests per realm; a refused request does not count.

    :meth:`storm` refuses everything for a while, whatever the windows say.
    """

    def __init__(self, limits: Limits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self._clock = clock
        self._requests: dict[str, deque[float]] = {}
        self._batches: dict[str, deque[float]] = {}
        self._storm_until = -math.inf
        self._lock = threading.Lock()

    def storm(self, seconds: float) -> None:
        """Answer 429 to every request for the next ``seconds`` of the clock, however often
        the client retries: what QuickBooks does while another app spends the realm's quota."""
        with self._lock:
            self._storm_until = self._clock() + seconds

    def allow(self, realm_id: str, *, batch: bool) -> bool:
        with self._lock:
            now = self._clock()
            if now < self._storm_until:
                return False
            if not self.limits.enabled:
                return True
            requests = self._window(self._requests, realm_id, now)
            batches = self._window(self._batches, realm_id, now)
            if not self._room(requests, batches, now, batch=batch):
                return False
            requests.append(now)
            if batch:
                batches.append(now)
            return True

    def _room(
        self, requests: deque[float], batches: deque[float], now: float, *, batch: bool
    ) -> bool:
        last_second = sum(1 for moment in requests if moment > now - 1.0)
        if last_second >= self.limits.per_second or len(requests) >= self.limits.per_minute:
            return False
        return not batch or len(batches) < self.limits.batches_per_minute

    @staticmethod
    def _window(windows: dict[str, deque[float]], realm_id: str, now: float) -> deque[float]:
        window = windows.setdefault(realm_id, deque())
        while window and window[0] <= now - 60.0:
            window.popleft()
        return window
