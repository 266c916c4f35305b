"""What every fake shares: injected faults, the request log, and reading a request's path and
bearer token when the fake is mounted under a prefix.

Tests and the benchmark set the faults from another thread while the server runs, so every
counter that is consumed goes through a lock.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from typing import Literal

from starlette.requests import Request

FaultName = Literal["throttle", "server_errors", "slow", "lost_writes", "stalled_writes"]
WriteFault = Literal["lost_writes", "stalled_writes"]


@dataclass
class Faults:
    """What goes wrong on purpose. Counters apply to the next N API requests.

    ``latency`` is added to every request (the benchmark uses 0.1 s); ``slow`` requests sleep
    ``slow_seconds`` instead, long enough to trip a client timeout. ``lost_writes`` commit a
    write and then answer 502, the case idempotency keys exist for; ``stalled_writes`` commit a
    write and then sleep ``slow_seconds`` before answering, so the client times out on a write
    that stands (a retry with the same key is answered from the replay). The ``*_share``
    fields strike that share of writes at random instead (the benchmark), from a seeded draw.
    """

    latency: float = 0.0
    throttle: int = 0
    server_errors: int = 0
    server_error_status: int = 503
    slow: int = 0
    slow_seconds: float = 5.0
    lost_writes: int = 0
    stalled_writes: int = 0
    lost_writes_share: float = 0.0
    stalled_writes_share: float = 0.0
    # A seeded draw: the same run strikes the same writes (not a secret, so not `secrets`).
    draw: random.Random = field(default_factory=lambda: random.Random(0), repr=False)  # noqa: S311
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def take(self, name: FaultName) -> bool:
        """Use up one of the named counter, if any is left."""
        with self._lock:
            left: int = getattr(self, name)
            if left <= 0:
                return False
            setattr(self, name, left - 1)
            return True

    def strikes(self, name: WriteFault) -> bool:
        """Whether this write suffers ``name``: a counted one first, else by its share."""
        if self.take(name):
            return True
        share: float = getattr(self, f"{name}_share")
        with self._lock:
            return share > 0 and self.draw.random() < share


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


def route_path(request: Request) -> str:
    """The path inside the fake: the demo mounts it under a prefix (``root_path``)."""
    path: str = request.scope["path"]
    root: str = request.scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def bearer_token(request: Request) -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""
