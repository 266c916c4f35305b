"""Straight-line travel (haversine x road factor at an average speed) and its cache."""

from __future__ import annotations

import pytest

from roofops.engines.routing.model import RoutingInputError, TravelMatrix
from roofops.engines.routing.travel import CachedTravel, Point, StraightLineTravel, haversine_metres

DALLAS = (32.7767, -96.7970)
FORT_WORTH = (32.7555, -97.3308)


def test_haversine_matches_a_known_distance() -> None:
    assert haversine_metres((0.0, 0.0), (1.0, 0.0)) == pytest.approx(111_195, rel=1e-4)
    assert haversine_metres(DALLAS, FORT_WORTH) == pytest.approx(49_950, rel=0.01)


def test_the_matrix_applies_the_road_factor_and_the_speed() -> None:
    matrix = StraightLineTravel().matrix([DALLAS, FORT_WORTH])

    road = haversine_metres(DALLAS, FORT_WORTH) * 1.3
    assert matrix.distances == ((0, round(road)), (round(road), 0))
    assert matrix.durations[0][1] == matrix.durations[1][0] == 70  # 65.6 km: 69.9 min
    assert matrix.durations[0][0] == 0


def test_a_slower_speed_and_a_bigger_factor_make_longer_drives() -> None:
    fast = StraightLineTravel(road_factor=1.0, mph=60).matrix([DALLAS, FORT_WORTH])
    slow = StraightLineTravel(road_factor=1.5, mph=25).matrix([DALLAS, FORT_WORTH])

    assert slow.durations[0][1] > fast.durations[0][1]
    assert slow.distances[0][1] > fast.distances[0][1]


def test_nonsense_settings_are_refused() -> None:
    with pytest.raises(RoutingInputError):
        StraightLineTravel(road_factor=0.5)
    with pytest.raises(RoutingInputError):
        StraightLineTravel(mph=0)


class _Counting:
    def __init__(self) -> None:
        self.calls = 0

    def matrix(self, points: list[Point] | tuple[Point, ...]) -> TravelMatrix:
        self.calls += 1
        return StraightLineTravel().matrix(points)


def test_the_cache_asks_once_per_point_list_and_forgets_the_oldest() -> None:
    provider = _Counting()
    cache = CachedTravel(provider, maxsize=2)
    day, other, third = [DALLAS, FORT_WORTH], [FORT_WORTH, DALLAS], [DALLAS]

    first = cache.matrix(day)
    assert cache.matrix(list(day)) is first
    cache.matrix(other)
    cache.matrix(third)  # evicts ``day``, the least recently used
    cache.matrix(day)

    assert provider.calls == 4
    assert (cache.hits, cache.misses) == (1, 4)
