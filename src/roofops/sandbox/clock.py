"""The fakes' clock: real time plus an offset, or frozen, so tests can expire tokens at will."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from roofops.kit.time import utcnow

Clock = Callable[[], datetime]


class FakeClock:
    """Real time plus an offset, or frozen at ``start``; :meth:`advance` moves either forward."""

    def __init__(self, start: datetime | None = None) -> None:
        self._frozen = start
        self._offset = timedelta()

    def __call__(self) -> datetime:
        base = self._frozen if self._frozen is not None else utcnow()
        return base + self._offset

    def advance(self, delta: timedelta | float) -> None:
        self._offset += delta if isinstance(delta, timedelta) else timedelta(seconds=delta)
