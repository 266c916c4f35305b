"""Serving the fakes to tests: one uvicorn server per session whose app each test swaps, and
the clocks that let a client's retry waits move a fake's rate-limit windows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Scope = dict[str, Any]


class SwappableApp:
    """An ASGI app that forwards to whichever app the current test installed."""

    def __init__(self) -> None:
        self.app: Any = None

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


@dataclass
class Monotonic:
    """The fake's rate-limit clock; the client's recording sleep moves it forward."""

    now: float = 1_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class RecordingSleep:
    monotonic: Monotonic
    delays: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        self.monotonic.now += seconds
