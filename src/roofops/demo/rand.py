"""Draws from a seeded stream; cheaper than ``randint``/``randrange`` in the hot loops."""

from __future__ import annotations

import random
import uuid
from typing import TypeVar

T = TypeVar("T")


def new_uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def between(rng: random.Random, low: int, high: int) -> int:
    """An integer in [low, high], both ends included."""
    return low + int(rng.random() * (high - low + 1))


def pick(rng: random.Random, options: tuple[tuple[T, float], ...]) -> T:
    """One value of ``(value, weight)`` pairs, by weight."""
    return rng.choices([value for value, _ in options], weights=[weight for _, weight in options])[
        0
    ]
