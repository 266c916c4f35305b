"""roofops demo."""

from __future__ import annotations


def demo() -> None:
    """Not built yet."""
    raise SystemExit("not built yet")
