"""Travel-time providers: a point list in, a :class:`TravelMatrix` out.

The default needs no network: great-circle distance times a road factor at an average speed.
An OSRM table-service client (outside the engines, it does HTTP) implements the same
:class:`TravelTimeProvider` protocol; :class:`CachedTravel` wraps either so a re-plan of the
same day does not ask twice.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from roofops.engines.routing.model import RoutingInputError, TravelMatrix

Point = tuple[float, float]  # (latitude, longitude) in degrees
EARTH_RADIUS_M = 6_371_008.8
METRES_PER_MILE = 1_609.344


class TravelTimeProvider(Protocol):
    """Anything that turns points into a travel matrix (index i of the matrix is points[i])."""

    def matrix(self, points: Sequence[Point]) -> TravelMatrix: ...


def haversine_metres(a: Point, b: Point) -> float:
    """Great-circle distance in metres between two (lat, lon) points in degrees."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True)
class StraightLineTravel:
    """Straight-line distance x ``road_factor`` driven at ``mph``; minutes rounded up so a
    plan never promises a faster drive than the estimate."""

    road_factor: float = 1.3
    mph: float = 35.0

    def __post_init__(self) -> None:
        if self.road_factor < 1.0 or self.mph <= 0:
            raise RoutingInputError("road factor must be >= 1 and speed > 0")

    def matrix(self, points: Sequence[Point]) -> TravelMatrix:
        """The matrix over ``points``.

        Parameters
        ----------
        points
            (latitude, longitude) pairs in degrees.

        Returns
        -------
        TravelMatrix
            Road metres (rounded) and minutes (rounded up), zero on the diagonal.
        """
        metres_per_minute = self.mph * METRES_PER_MILE / 60.0
        road = [[haversine_metres(a, b) * self.road_factor for b in points] for a in points]
        return TravelMatrix(
            durations=tuple(tuple(math.ceil(m / metres_per_minute) for m in row) for row in road),
            distances=tuple(tuple(round(m) for m in row) for row in road),
        )


class CachedTravel:
    """An in-memory LRU cache in front of another provider, keyed by the exact point list."""

    def __init__(self, provider: TravelTimeProvider, maxsize: int = 64) -> None:
        if maxsize < 1:
            raise RoutingInputError("the cache holds at least one matrix")
        self._provider = provider
        self._maxsize = maxsize
        self._cache: OrderedDict[tuple[Point, ...], TravelMatrix] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def matrix(self, points: Sequence[Point]) -> TravelMatrix:
        """The provider's matrix for ``points``, asked for only on the first request."""
        key = tuple((float(lat), float(lon)) for lat, lon in points)
        if key in self._cache:
            self.hits += 1
            self._cache.move_to_end(key)
            return self._cache[key]
        self.misses += 1
        matrix = self._provider.matrix(key)
        self._cache[key] = matrix
        if len(self._cache) > self._maxsize:
            self._cache.popitem(last=False)
        return matrix
