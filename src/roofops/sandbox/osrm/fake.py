"""A fake OSRM table service for tests and the demo's sandbox.

``GET /table/v1/{profile}/{lon},{lat};...`` with ``annotations``, ``sources`` and
``destinations`` as osrm-routed answers them (see :mod:`roofops.integrations.osrm.client` for
the documented source): ``{"code": "Ok", "durations", "distances", "sources",
"destinations"}``, and errors as HTTP 400 ``{"code": "InvalidQuery" | "InvalidValue" |
"InvalidOptions" | "TooBig", "message": ...}``.

Roads are straight lines times a road factor (1.35) driven at 30 mph, each pair bent by a
deterministic noise of up to 12 % (seeded by the pair's rounded coordinates, so the same pair
always answers the same), a little asymmetric as one-way streets are. ``unroutable`` names
points OSRM "cannot reach": their pairs answer ``null``.
"""

from __future__ import annotations

import asyncio
import math
import random
from collections.abc import Sequence

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from roofops.sandbox.control import Faults, LoggedRequest, RequestLog, route_path

ROAD_FACTOR = 1.35
METRES_PER_SECOND = 30 * 1609.344 / 3600
NOISE = 0.12
MAX_TABLE_SIZE = 100
ANNOTATIONS = frozenset({"duration", "distance"})
EARTH_RADIUS_M = 6_371_008.8
Point = tuple[float, float]  # (longitude, latitude): OSRM's order


class Refused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class FakeOsrm:
    def __init__(self, *, max_table_size: int = MAX_TABLE_SIZE) -> None:
        self.max_table_size = max_table_size
        self.faults = Faults()
        self.requests = RequestLog()
        self.unroutable: set[Point] = set()

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/table/v1/{profile}/{coordinates}", self._table)])

    async def _table(self, request: Request) -> Response:
        response = await self._answer(request)
        entry = LoggedRequest(
            request.method, route_path(request), dict(request.query_params), response.status_code
        )
        self.requests.record(entry)
        return response

    async def _answer(self, request: Request) -> Response:
        if self.faults.latency > 0:
            await asyncio.sleep(self.faults.latency)
        if self.faults.take("server_errors"):
            return JSONResponse({"code": "InternalError"}, status_code=503)
        if self.faults.take("throttle"):
            return JSONResponse({"message": "Too Many Requests"}, 429, {"Retry-After": "1"})
        try:
            body = self.table(
                request.path_params["coordinates"],
                request.query_params.get("annotations", "duration"),
                request.query_params.get("sources", "all"),
                request.query_params.get("destinations", "all"),
            )
        except Refused as refused:
            return JSONResponse({"code": refused.code, "message": refused.message}, 400)
        return JSONResponse(body)

    def table(
        self, coordinates: str, annotations: str, sources: str, destinations: str
    ) -> dict[str, object]:
        points = parse_coordinates(coordinates)
        if len(points) > self.max_table_size:
            raise Refused("TooBig", "Too many table coordinates")
        wanted = set(annotations.split(","))
        if not wanted <= ANNOTATIONS:
            raise Refused("InvalidOptions", "Annotations must be duration, distance or both")
        rows = parse_indexes(sources, len(points), "sources")
        columns = parse_indexes(destinations, len(points), "destinations")
        body: dict[str, object] = {"code": "Ok"}
        metres = [[self._metres(points[i], points[j]) for j in columns] for i in rows]
        if "duration" in wanted:
            body["durations"] = [[_seconds(value) for value in row] for row in metres]
        if "distance" in wanted:
            body["distances"] = metres
        body["sources"] = [waypoint(points[i]) for i in rows]
        body["destinations"] = [waypoint(points[j]) for j in columns]
        return body

    def _metres(self, origin: Point, target: Point) -> float | None:
        if origin in self.unroutable or target in self.unroutable:
            return None if origin != target else 0.0
        return road_metres(origin, target)


def parse_coordinates(text: str) -> list[Point]:
    points: list[Point] = []
    for position, pair in enumerate(text.split(";")):
        parts = pair.split(",")
        try:
            lon, lat = (float(part) for part in parts)
        except ValueError:
            raise Refused(
                "InvalidQuery", f"Query string malformed close to position {position}"
            ) from None
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise Refused("InvalidValue", "Invalid coordinate value.")
        points.append((lon, lat))
    if len(points) < 2:
        raise Refused("InvalidOptions", "Number of coordinates needs to be at least two.")
    return points


def parse_indexes(text: str, count: int, name: str) -> list[int]:
    if text == "all":
        return list(range(count))
    try:
        indexes = [int(part) for part in text.split(";")]
    except ValueError:
        raise Refused("InvalidQuery", f"Query string malformed close to {name}") from None
    if any(not 0 <= index < count for index in indexes):
        raise Refused(
            "InvalidOptions",
            f"{name.capitalize()} indices must be less than or equal to the number of coordinates",
        )
    return indexes


def road_metres(origin: Point, target: Point) -> float:
    if origin == target:
        return 0.0
    seed = f"{origin[0]:.5f},{origin[1]:.5f};{target[0]:.5f},{target[1]:.5f}"
    bend = 1.0 + random.Random(seed).uniform(0.0, NOISE)  # noqa: S311 (noise, not secrets)
    return round(haversine(origin, target) * ROAD_FACTOR * bend, 1)


def _seconds(metres: float | None) -> float | None:
    return None if metres is None else round(metres / METRES_PER_SECOND, 1)


def haversine(a: Point, b: Point) -> float:
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def waypoint(point: Point) -> dict[str, object]:
    return {"hint": "", "distance": 0.0, "name": "", "location": list(point)}


def as_osrm_points(points: Sequence[tuple[float, float]]) -> list[Point]:
    """(latitude, longitude) pairs as the fake keys them, for ``unroutable``."""
    return [(round(lon, 6), round(lat, 6)) for lat, lon in points]
