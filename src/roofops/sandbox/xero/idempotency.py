"""``Idempotency-Key`` replay (spec digest section 2.2): the answer to a write is kept for six
minutes per tenant and key, and a repeat of the same request gets it again without a second
write; the same key with another request is refused. Errors are kept too, as Xero keeps them.

Requests with one key are served one at a time: a retry that arrives while the first try is
still running (its client timed out) waits for it, then replays its answer.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from roofops.sandbox.clock import Clock

RETENTION = timedelta(minutes=6)
MAX_KEY_LENGTH = 128


@dataclass(frozen=True)
class Remembered:
    fingerprint: str
    status: int
    body: bytes
    at: datetime


def fingerprint(method: str, path: str, query: str, body: bytes) -> str:
    return hashlib.sha256(f"{method} {path}?{query}\n".encode() + body).hexdigest()


class IdempotencyCache:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._answers: dict[tuple[str, str], Remembered] = {}
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}
        self._guard = threading.Lock()

    def key_lock(self, tenant_id: str, key: str) -> asyncio.Lock:
        with self._guard:
            return self._locks.setdefault((tenant_id, key), asyncio.Lock())

    def get(self, tenant_id: str, key: str) -> Remembered | None:
        with self._guard:
            found = self._answers.get((tenant_id, key))
        if found is None or self._clock() >= found.at + RETENTION:
            return None
        return found

    def put(self, tenant_id: str, key: str, fingerprint: str, status: int, body: bytes) -> None:
        with self._guard:
            self._answers[(tenant_id, key)] = Remembered(fingerprint, status, body, self._clock())
