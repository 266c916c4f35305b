"""A day's routes as a self-contained SVG: no tile server (the board works offline and in tests).

Latitude and longitude are projected equirectangularly with the longitude scaled by the cosine
of the middle latitude: over a metro area that keeps distances and angles true to the eye."""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 800
HEIGHT = 480
MARGIN = 32


@dataclass(frozen=True)
class Place:
    latitude: float
    longitude: float


@dataclass(frozen=True)
class StopIn:
    place: Place
    label: str  # "J-1042 · 9:30 AM, 12 Elm St"


@dataclass(frozen=True)
class RouteIn:
    crew_id: uuid.UUID
    crew_name: str
    color: str
    home: Place | None
    stops: Sequence[StopIn]


@dataclass(frozen=True)
class Marker:
    x: float
    y: float
    number: int
    label: str


@dataclass(frozen=True)
class DrawnRoute:
    crew_id: uuid.UUID
    crew_name: str
    color: str
    points: str  # the polyline's "x,y x,y ..." from home through every stop and back
    home: Marker | None
    stops: tuple[Marker, ...]


@dataclass(frozen=True)
class _Frame:
    """Centred on the middle of the places, scaled so the farthest ones touch the margins."""

    middle: Place
    scale: float  # pixels per degree of latitude
    squeeze: float  # a degree of longitude is this fraction of a degree of latitude

    def at(self, place: Place) -> tuple[float, float]:
        x = WIDTH / 2 + (place.longitude - self.middle.longitude) * self.squeeze * self.scale
        y = HEIGHT / 2 - (place.latitude - self.middle.latitude) * self.scale
        return round(x, 1), round(y, 1)


def draw(routes: Sequence[RouteIn]) -> list[DrawnRoute]:
    """Every route in one frame that fits all their places, centred in the drawing."""
    places = [p for route in routes for p in _places(route)]
    if not places:
        return []
    frame = _frame(places)
    return [_drawn(route, frame) for route in routes]


def _places(route: RouteIn) -> list[Place]:
    stops = [stop.place for stop in route.stops]
    return [route.home, *stops] if route.home else stops


def _frame(places: Sequence[Place]) -> _Frame:
    west, east = min(p.longitude for p in places), max(p.longitude for p in places)
    south, north = min(p.latitude for p in places), max(p.latitude for p in places)
    squeeze = math.cos(math.radians((north + south) / 2))
    # One place alone (or all at one spot) has no extent: any scale centres it.
    span_x = max((east - west) * squeeze, 1e-9)
    span_y = max(north - south, 1e-9)
    scale = min((WIDTH - 2 * MARGIN) / span_x, (HEIGHT - 2 * MARGIN) / span_y)
    return _Frame(Place((north + south) / 2, (east + west) / 2), scale, squeeze)


def _drawn(route: RouteIn, frame: _Frame) -> DrawnRoute:
    stops = tuple(
        Marker(*frame.at(stop.place), number=number, label=stop.label)
        for number, stop in enumerate(route.stops, start=1)
    )
    home = Marker(*frame.at(route.home), number=0, label="Start and end") if route.home else None
    path = [home, *stops, home] if home else list(stops)
    points = " ".join(f"{m.x},{m.y}" for m in path if m is not None)
    return DrawnRoute(route.crew_id, route.crew_name, route.color, points, home, stops)
