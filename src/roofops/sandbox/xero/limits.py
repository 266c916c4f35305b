"""Xero's rate limits per tenant (spec digest section 2.6): 5 calls in progress, 60 a minute and
5,000 a day, in fixed windows that start with a tenant's first call.

Every answer carries ``X-MinLimit-Remaining``, ``X-DayLimit-Remaining`` and
``X-AppMinLimit-Remaining``. A refused call does not count; its 429 names the limit in
``X-Rate-Limit-Problem`` and, for the minute and day limits, says when to come back in
``Retry-After``. :meth:`RateLimits.storm` refuses every call for a while, as a tenant whose quota
another app is spending.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

MINUTE = 60.0
DAY = 86_400.0


@dataclass
class Limits:
    enabled: bool = True
    per_minute: int = 60
    per_day: int = 5000
    concurrent: int = 5
    app_per_minute: int = 10_000


@dataclass
class _Window:
    length: float
    started: float = -math.inf
    used: int = 0

    def roll(self, now: float) -> None:
        if now >= self.started + self.length:
            self.started, self.used = now, 0

    def seconds_left(self, now: float) -> int:
        return max(1, math.ceil(self.started + self.length - now))


@dataclass
class _Tenant:
    minute: _Window = field(default_factory=lambda: _Window(MINUTE))
    day: _Window = field(default_factory=lambda: _Window(DAY))
    in_progress: int = 0


@dataclass(frozen=True)
class Refusal:
    problem: str  # "minute", "day" or "concurrent"
    retry_after: int | None


class RateLimits:
    def __init__(self, limits: Limits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self._clock = clock
        self._tenants: dict[str, _Tenant] = {}
        self._app = _Window(MINUTE)
        self._storm_until = -math.inf
        self._lock = threading.Lock()

    def storm(self, seconds: float) -> None:
        """Answer 429 (minute limit) to every call for the next ``seconds`` of the clock."""
        with self._lock:
            self._storm_until = self._clock() + seconds

    def enter(self, tenant_id: str) -> Refusal | None:
        """Count a call starting, or say why it may not; :meth:`leave` when it ends."""
        with self._lock:
            now = self._clock()
            if now < self._storm_until:
                return Refusal("minute", max(1, math.ceil(self._storm_until - now)))
            if not self.limits.enabled:
                return None
            tenant = self._tenants.setdefault(tenant_id, _Tenant())
            refusal = self._refusal(tenant, now)
            if refusal is None:
                tenant.minute.used += 1
                tenant.day.used += 1
                self._app.used += 1
                tenant.in_progress += 1
            return refusal

    def leave(self, tenant_id: str) -> None:
        with self._lock:
            tenant = self._tenants.get(tenant_id)
            if tenant is not None and tenant.in_progress > 0:
                tenant.in_progress -= 1

    def remaining(self, tenant_id: str) -> dict[str, str]:
        with self._lock:
            tenant = self._tenants.get(tenant_id, _Tenant())
            return {
                "X-MinLimit-Remaining": str(max(0, self.limits.per_minute - tenant.minute.used)),
                "X-DayLimit-Remaining": str(max(0, self.limits.per_day - tenant.day.used)),
                "X-AppMinLimit-Remaining": str(max(0, self.limits.app_per_minute - self._app.used)),
            }

    def _refusal(self, tenant: _Tenant, now: float) -> Refusal | None:
        for window in (tenant.minute, tenant.day, self._app):
            window.roll(now)
        if tenant.in_progress >= self.limits.concurrent:
            return Refusal("concurrent", None)
        if tenant.day.used >= self.limits.per_day:
            return Refusal("day", tenant.day.seconds_left(now))
        if tenant.minute.used >= self.limits.per_minute:
            return Refusal("minute", tenant.minute.seconds_left(now))
        if self._app.used >= self.limits.app_per_minute:
            return Refusal("appminute", self._app.seconds_left(now))
        return None
