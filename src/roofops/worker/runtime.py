"""Background runtime of a process (stub until the worker module lands)."""

from __future__ import annotations

from typing import Literal

from roofops.config import Settings


class Runtime:
    def stop(self) -> None:
        return None


def start_runtime(settings: Settings, role: Literal["web", "worker"]) -> Runtime:
    del settings, role
    return Runtime()
