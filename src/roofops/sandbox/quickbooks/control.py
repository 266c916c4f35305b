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
from dataclasses import dataclass
from typing import Literal

from roofops.sandbox import control

ThrottleFormat = Literal["xml", "json"]


@dataclass
class Faults(control.Faults):
    """The shared faults, and whether a 429 answers in QuickBooks' XML body or its JSON one."""

    throttle_format: ThrottleFormat = "xml"


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
