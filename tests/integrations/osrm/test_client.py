"""The OSRM table client as the routing engine's travel provider, over real HTTP to the fake."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from roofops.config import Settings
from roofops.engines.routing.travel import CachedTravel, StraightLineTravel
from roofops.exceptions import ConfigurationError
from roofops.integrations.osrm.client import (
    UNREACHABLE_SECONDS,
    OsrmClient,
    OsrmTravel,
    RoundedPoints,
    travel_provider,
)
from roofops.kit.http import RateLimiter, RetryPolicy, VendorRequestError
from roofops.sandbox.osrm.fake import FakeOsrm, as_osrm_points
from roofops.sandbox.server import serving

Point = tuple[float, float]


def denver_points(count: int, seed: int = 1) -> list[Point]:
    draw = random.Random(seed)
    return [(39.6 + draw.uniform(0, 0.4), -105.2 + draw.uniform(0, 0.4)) for _ in range(count)]


class Sleeps:
    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[FakeOsrm, str]]:
    fake = FakeOsrm()
    with serving(fake.app()) as url:
        yield fake, url


@pytest.fixture
def fake(served: tuple[FakeOsrm, str]) -> Iterator[FakeOsrm]:
    fake = served[0]
    yield fake
    fake.max_table_size = 100
    fake.unroutable.clear()
    fake.faults.server_errors = fake.faults.throttle = 0
    fake.requests.clear()


@pytest.fixture
def client(served: tuple[FakeOsrm, str], fake: FakeOsrm) -> Iterator[OsrmClient]:
    with OsrmClient(
        base_url=served[1],
        retry=RetryPolicy(give_up_after=30.0),
        limiter=RateLimiter(1000.0, 1000),
        sleep=Sleeps(),
    ) as osrm:
        yield osrm


def test_the_matrix_is_road_minutes_and_metres_a_little_above_straight_lines(
    client: OsrmClient, fake: FakeOsrm
) -> None:
    points = denver_points(8)
    matrix = OsrmTravel(client).matrix(points)
    straight = StraightLineTravel(road_factor=1.0).matrix(points)
    assert matrix.size == 8
    assert all(matrix.minutes(i, i) == 0 for i in range(8))
    for i in range(8):
        for j in range(8):
            if i != j:
                assert matrix.metres(i, j) > straight.metres(i, j) * 1.3
                assert matrix.minutes(i, j) >= 1
    (request,) = fake.requests.entries()
    assert request.query["annotations"] == "duration,distance"
    assert request.path.startswith("/table/v1/driving/")


def test_a_day_larger_than_the_servers_table_limit_is_asked_in_blocks(
    client: OsrmClient, fake: FakeOsrm
) -> None:
    points = denver_points(13)
    whole = OsrmTravel(client).matrix(points)
    fake.max_table_size = 10
    fake.requests.clear()
    blocked = OsrmTravel(client, max_table_size=10).matrix(points)
    assert blocked == whole
    assert fake.requests.count() == 9  # 3 x 3 blocks of at most 5 sources and 5 destinations


def test_a_pair_osrm_cannot_route_is_priced_out_not_dropped(
    client: OsrmClient, fake: FakeOsrm
) -> None:
    points = denver_points(3)
    fake.unroutable.update(as_osrm_points(points[2:]))
    matrix = OsrmTravel(client).matrix(points)
    assert matrix.minutes(0, 2) == UNREACHABLE_SECONDS // 60
    assert matrix.minutes(2, 2) == 0
    assert matrix.minutes(0, 1) < 120


def test_a_refused_query_says_osrms_code_and_message(client: OsrmClient) -> None:
    with pytest.raises(VendorRequestError, match="InvalidValue Invalid coordinate value"):
        client.table([(95.0, 10.0), (39.7, -105.0)])
    with pytest.raises(VendorRequestError, match="InvalidOptions"):
        client.table([(39.7, -105.0)])


def test_a_table_above_the_limit_is_refused_as_too_big(client: OsrmClient, fake: FakeOsrm) -> None:
    fake.max_table_size = 5
    with pytest.raises(VendorRequestError, match="TooBig"):
        client.table(denver_points(6))


def test_server_errors_and_throttling_are_retried(client: OsrmClient, fake: FakeOsrm) -> None:
    fake.faults.server_errors = 1
    fake.faults.throttle = 1
    assert OsrmTravel(client).matrix(denver_points(3)).size == 3
    assert [entry.status for entry in fake.requests.entries()] == [503, 429, 200]


def test_the_cache_answers_a_replan_of_the_same_day_without_asking(
    client: OsrmClient, fake: FakeOsrm
) -> None:
    cached = CachedTravel(OsrmTravel(client))
    provider = RoundedPoints(cached)
    points = denver_points(5)
    first = provider.matrix(points)
    # The same addresses geocoded a few metres apart: the same cached matrix.
    nudged = [(lat + 0.000004, lon - 0.000004) for lat, lon in points]
    assert provider.matrix(nudged) == first
    assert (cached.hits, cached.misses) == (1, 1)
    assert fake.requests.count() == 1


def test_the_provider_follows_the_settings(
    settings: Settings, served: tuple[FakeOsrm, str]
) -> None:
    assert isinstance(travel_provider(settings), StraightLineTravel)
    osrm = settings.model_copy(update={"travel_provider": "osrm", "osrm_url": served[1]})
    assert travel_provider(osrm).matrix(denver_points(2)).size == 2
    with pytest.raises(ConfigurationError, match="ROOFOPS_OSRM_URL"):
        travel_provider(settings.model_copy(update={"travel_provider": "osrm"}))
