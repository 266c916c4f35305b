"""roofops worker."""

from __future__ import annotations


def worker() -> None:
    """Not built yet."""
    raise SystemExit("not built yet")
