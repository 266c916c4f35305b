"""OSRM table-service client: road durations and distances between a day's points.

Source: the OSRM HTTP API documentation (Project-OSRM/osrm-backend ``docs/http.md``):
``GET /table/v1/{profile}/{lon},{lat};{lon},{lat}...?annotations=duration,distance``, optional
``sources``/``destinations`` index lists; the answer holds ``code`` (``"Ok"``), ``durations``
(seconds) and ``distances`` (metres) as row-major arrays (``null`` where no route exists),
``sources`` and ``destinations`` waypoints. Errors answer HTTP 400 with ``{"code":
"InvalidQuery" | "InvalidValue" | "NoSegment" | "TooBig" | ..., "message": ...}``. Note the
coordinate order: longitude first.

:class:`OsrmTravel` implements the routing engine's ``TravelTimeProvider``; a request larger
than the server's table limit (``--max-table-size``, 100 by default) is split into blocks of
sources and destinations. :func:`travel_provider` picks the provider the settings ask for and
puts an in-process LRU cache of matrices in front of it, keyed by points rounded to 4 decimals
(about 11 m): a re-plan of the same day asks nothing. The cache is per process (each worker
warms its own); a shared cache was not worth a dependency at a few requests a day per crew.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import httpx
from pydantic import BaseModel, ConfigDict, ValidationError

from roofops.config import Settings
from roofops.engines.routing.model import TravelMatrix
from roofops.engines.routing.travel import (
    CachedTravel,
    Point,
    StraightLineTravel,
    TravelTimeProvider,
)
from roofops.exceptions import ConfigurationError
from roofops.kit.http import (
    DEFAULT_TIMEOUT,
    Clock,
    RateLimiter,
    RetryPolicy,
    VendorClient,
    VendorHTTP,
    VendorRequestError,
    VendorResponseError,
)
from roofops.logging import get_logger

log = get_logger(__name__)

VENDOR = "osrm"
PROFILE = "driving"
# osrm-routed's default --max-table-size: coordinates in one table request.
MAX_TABLE_SIZE = 100
# A pair OSRM cannot route (an island, a closed area): so far that no plan uses it, yet a
# valid matrix entry (the engine's matrix holds no gaps).
UNREACHABLE_SECONDS = 7 * 24 * 3600.0
UNREACHABLE_METRES = 10_000_000.0
CACHE_DECIMALS = 4
CACHED_MATRICES = 64


class OsrmModel(BaseModel):
    model_config = ConfigDict(extra="allow")


class Waypoint(OsrmModel):
    location: tuple[float, float]  # (longitude, latitude) as snapped to the road
    name: str = ""
    distance: float | None = None


class TableResponse(OsrmModel):
    code: str
    durations: list[list[float | None]]
    distances: list[list[float | None]]
    sources: list[Waypoint] = []
    destinations: list[Waypoint] = []


class ErrorBody(OsrmModel):
    code: str = ""
    message: str = ""


def polite_limiter() -> RateLimiter:
    """Our own server normally; the public demo server allows about one request a second."""
    return RateLimiter(5.0, 5)


class OsrmClient(VendorClient):
    def __init__(
        self,
        *,
        base_url: str,
        transport: httpx.BaseTransport | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        limiter: RateLimiter | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Clock = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self.http = VendorHTTP(
            VENDOR,
            base_url.rstrip("/") + "/",
            transport=transport,
            timeout=timeout,
            retry=retry,
            limiter=limiter or polite_limiter(),
            sleep=sleep,
            clock=clock,
            rng=rng,
        )

    def table(
        self,
        points: Sequence[Point],
        sources: Sequence[int] | None = None,
        destinations: Sequence[int] | None = None,
    ) -> TableResponse:
        """One table request over ``points`` ((latitude, longitude) pairs)."""
        coordinates = ";".join(f"{lon:.6f},{lat:.6f}" for lat, lon in points)
        params = {"annotations": "duration,distance"}
        if sources is not None:
            params["sources"] = ";".join(map(str, sources))
        if destinations is not None:
            params["destinations"] = ";".join(map(str, destinations))
        try:
            response = self.http.request("GET", f"table/v1/{PROFILE}/{coordinates}", params=params)
        except VendorRequestError as refused:
            raise with_reason(refused) from refused
        return parse_table(self.http.json(response))


def parse_table(payload: object) -> TableResponse:
    try:
        table = TableResponse.model_validate(payload)
    except ValidationError as exc:
        raise VendorResponseError(
            f"osrm table answer is malformed: {exc.error_count()} problems",
            vendor=VENDOR,
            status=200,
        ) from exc
    if table.code != "Ok":
        raise VendorResponseError(f"osrm answered code {table.code}", vendor=VENDOR, status=200)
    return table


def with_reason(refused: VendorRequestError) -> VendorRequestError:
    """OSRM names the problem in ``code`` and ``message``: put them in the message people see."""
    try:
        body = ErrorBody.model_validate_json(refused.body)
    except ValidationError:
        return refused
    message = f"{refused.message}: {body.code} {body.message}".rstrip()
    return VendorRequestError(message, vendor=VENDOR, status=refused.status, body=refused.body)


@dataclass
class OsrmTravel:
    """The routing engine's ``TravelTimeProvider`` over OSRM's table service."""

    client: OsrmClient
    max_table_size: int = MAX_TABLE_SIZE

    def matrix(self, points: Sequence[Point]) -> TravelMatrix:
        """Road minutes (rounded up) and metres between ``points``; blocks of at most
        ``max_table_size`` coordinates per request when the day is larger."""
        size = len(points)
        seconds = [[0.0] * size for _ in range(size)]
        metres = [[0.0] * size for _ in range(size)]
        block = max(1, self.max_table_size // 2) if size > self.max_table_size else size
        for origin in range(0, size, block):
            for target in range(0, size, block):
                self._fill(
                    points,
                    range(origin, min(size, origin + block)),
                    range(target, min(size, target + block)),
                    seconds,
                    metres,
                )
        return TravelMatrix(
            durations=tuple(tuple(math.ceil(value / 60.0) for value in row) for row in seconds),
            distances=tuple(tuple(round(value) for value in row) for row in metres),
        )

    def _fill(
        self,
        points: Sequence[Point],
        rows: range,
        columns: range,
        seconds: list[list[float]],
        metres: list[list[float]],
    ) -> None:
        asked = list(dict.fromkeys([*rows, *columns]))  # each point once, rows first
        position = {index: place for place, index in enumerate(asked)}
        table = self.client.table(
            [points[index] for index in asked],
            sources=[position[row] for row in rows],
            destinations=[position[column] for column in columns],
        )
        for i, row in enumerate(rows):
            for j, column in enumerate(columns):
                seconds[row][column] = _known(
                    table.durations[i][j], UNREACHABLE_SECONDS, row, column
                )
                metres[row][column] = _known(table.distances[i][j], UNREACHABLE_METRES, row, column)


def _known(value: float | None, unreachable: float, row: int, column: int) -> float:
    if value is not None:
        return value
    log.warning("osrm.no_route", origin=row, destination=column)
    return unreachable


class RoundedPoints:
    """Rounds points before the provider behind (the cache) sees them: points a metre apart
    (the same address geocoded twice) share a cached matrix. One lock around it, because one
    provider serves every request thread of the process and the LRU cache is not thread-safe;
    a second thread asking for the same day then finds it cached instead of asking OSRM too.
    """

    def __init__(self, provider: TravelTimeProvider, decimals: int = CACHE_DECIMALS) -> None:
        self._provider = provider
        self._decimals = decimals
        self._lock = threading.Lock()

    def matrix(self, points: Sequence[Point]) -> TravelMatrix:
        rounded = [(round(lat, self._decimals), round(lon, self._decimals)) for lat, lon in points]
        with self._lock:
            return self._provider.matrix(rounded)


def travel_provider(settings: Settings) -> TravelTimeProvider:
    """``ROOFOPS_TRAVEL_PROVIDER``: straight lines (no network), or OSRM at
    ``ROOFOPS_OSRM_URL``, cached in this process by rounded points."""
    if settings.travel_provider == "straight_line":
        return StraightLineTravel()
    if not settings.osrm_url:
        raise ConfigurationError("ROOFOPS_TRAVEL_PROVIDER=osrm needs ROOFOPS_OSRM_URL")
    client = OsrmClient(
        base_url=settings.osrm_url,
        timeout=httpx.Timeout(settings.osrm_timeout_seconds, connect=5.0),
        retry=RetryPolicy(give_up_after=30.0),
    )
    return RoundedPoints(CachedTravel(OsrmTravel(client), maxsize=CACHED_MATRICES))
