"""roofops serve."""

from __future__ import annotations


def serve() -> None:
    """Not built yet."""
    raise SystemExit("not built yet")
