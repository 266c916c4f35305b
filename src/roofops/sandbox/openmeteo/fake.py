"""A fake Open-Meteo ``/v1/forecast`` (daily variables) for tests and the demo's sandbox.

Same request and answer shapes as the real API (see
:mod:`roofops.integrations.weather.schemas` for the documented source): comma-separated
coordinate lists answered by a list of locations in the order asked, one location answered by
an object, units switched by ``temperature_unit``/``wind_speed_unit``, errors as HTTP 400
``{"error": true, "reason": ...}`` and throttling as 429 with the same envelope. The weather
itself comes from :mod:`roofops.sandbox.openmeteo.weather` (seeded, deterministic per cell and
date); "today" is the fake's clock in the asked time zone.

Usage::

    fake = FakeOpenMeteo(seed=7, clock=FakeClock(start))
    app = fake.app()                  # mount it, or serve it over HTTP
    fake.storm(120)                   # 429 to every forecast for 2 minutes
    fake.faults.server_errors = 2     # the next two forecasts answer 503
    fake.requests.count()             # forecasts asked so far

Control endpoints (for the demo and for people trying the sandbox): ``POST /control/storm?
seconds=N`` starts a 429 storm, ``POST /control/calm`` ends it.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from roofops.sandbox.clock import Clock, FakeClock
from roofops.sandbox.control import Faults, LoggedRequest, RequestLog, route_path
from roofops.sandbox.openmeteo.weather import CellDay, cell_day

KNOWN_DAILY = frozenset(CellDay.__dataclass_fields__)
UNITS_F = {"temperature_2m_min": "°F", "temperature_2m_max": "°F"}
UNITS_C = {"temperature_2m_min": "°C", "temperature_2m_max": "°C"}
WIND_UNITS = {"mph": "mp/h", "kmh": "km/h", "ms": "m/s", "kn": "kn"}
KMH_PER_MPH = 1.609344
MAX_FORECAST_DAYS = 16
THROTTLED = "Minutely API request limit exceeded. Please try again in one minute."
Handler = Callable[[Request], Awaitable[Response]]


class BadRequest(Exception):
    """A request Open-Meteo refuses: answered 400 with its reason."""


class FakeOpenMeteo:
    def __init__(
        self,
        *,
        seed: int = 0,
        clock: Clock | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        retry_after: int = 1,
    ) -> None:
        self.seed = seed
        self.clock: Clock = clock or FakeClock()
        self.faults = Faults()
        self.requests = RequestLog()
        self.retry_after = retry_after
        self.monotonic = monotonic
        self._storm_until = -math.inf
        self._lock = threading.Lock()

    def storm(self, seconds: float) -> None:
        """Answer 429 to every forecast for the next ``seconds``, however often asked."""
        with self._lock:
            self._storm_until = self.monotonic() + seconds

    def calm(self) -> None:
        with self._lock:
            self._storm_until = -math.inf

    def storming(self) -> bool:
        with self._lock:
            return self.monotonic() < self._storm_until

    def app(self) -> Starlette:
        app = Starlette(
            routes=[
                Route("/v1/forecast", self._forecast, methods=["GET"]),
                Route("/control/storm", self._start_storm, methods=["POST"]),
                Route("/control/calm", self._end_storm, methods=["POST"]),
            ]
        )
        return app

    async def _forecast(self, request: Request) -> Response:
        response = await self._gated(request)
        path = route_path(request)
        entry = LoggedRequest(
            request.method, path, dict(request.query_params), response.status_code
        )
        self.requests.record(entry)
        return response

    async def _gated(self, request: Request) -> Response:
        if self.faults.latency > 0:
            await asyncio.sleep(self.faults.latency)
        if self.faults.take("slow"):
            await asyncio.sleep(self.faults.slow_seconds)
        if self.faults.take("server_errors"):
            return error(self.faults.server_error_status, "Service unavailable")
        if self.storming() or self.faults.take("throttle"):
            return error(429, THROTTLED, {"Retry-After": str(self.retry_after)})
        try:
            return JSONResponse(self.answer(request.query_params.multi_items()))
        except BadRequest as refused:
            return error(400, str(refused))

    def answer(self, params: list[tuple[str, str]]) -> Any:
        """The JSON body for a query, or :class:`BadRequest` with Open-Meteo's reason."""
        query = ForecastQuery.parse(params)
        locations = [
            self._location(latitude, longitude, query)
            for latitude, longitude in zip(query.latitudes, query.longitudes, strict=True)
        ]
        return locations[0] if len(locations) == 1 else locations

    def _location(self, latitude: float, longitude: float, query: ForecastQuery) -> dict[str, Any]:
        today = self.clock().astimezone(query.zone).date()
        days = [today + timedelta(days=offset) for offset in range(query.days)]
        weather = [cell_day(self.seed, latitude, longitude, day) for day in days]
        offset = query.zone.utcoffset(datetime.combine(today, datetime.min.time()))
        return {
            # The model's grid cell centre, a little off the asked point (as the real API does).
            "latitude": grid_centre(latitude),
            "longitude": grid_centre(longitude),
            "generationtime_ms": 0.25,
            "utc_offset_seconds": int(offset.total_seconds()) if offset is not None else 0,
            "timezone": query.zone_name,
            "timezone_abbreviation": today_abbreviation(query.zone, today),
            "elevation": 180.0,
            "daily_units": {"time": "iso8601", **query.units()},
            "daily": {
                "time": [day.isoformat() for day in days],
                **{
                    name: [query.convert(name, getattr(w, name)) for w in weather]
                    for name in query.daily
                },
            },
        }

    async def _start_storm(self, request: Request) -> Response:
        try:
            seconds = float(request.query_params.get("seconds", "60"))
        except ValueError:
            return error(400, "seconds must be a number")
        self.storm(seconds)
        return JSONResponse({"storm_seconds": seconds})

    async def _end_storm(self, _request: Request) -> Response:
        self.calm()
        return JSONResponse({"storm_seconds": 0})


@dataclass(frozen=True)
class ForecastQuery:
    """A parsed ``/v1/forecast`` query, checked the way Open-Meteo checks it."""

    latitudes: list[float]
    longitudes: list[float]
    daily: list[str]
    zone_name: str
    days: int
    fahrenheit: bool
    wind_unit: str

    @property
    def zone(self) -> ZoneInfo:
        return _zone(self.zone_name)

    @classmethod
    def parse(cls, params: list[tuple[str, str]]) -> ForecastQuery:
        values: dict[str, list[str]] = {}
        for key, value in params:
            values.setdefault(key, []).extend(part for part in value.split(",") if part)
        latitudes = _coordinates(values.get("latitude", []), "Latitude", 90)
        longitudes = _coordinates(values.get("longitude", []), "Longitude", 180)
        if not latitudes or len(latitudes) != len(longitudes):
            raise BadRequest(
                "Parameter 'latitude' and 'longitude' must have the same number of elements"
            )
        daily = values.get("daily", [])
        zone_name = ",".join(values.get("timezone", [])) or "GMT"
        _zone(zone_name)
        for name in daily:
            if name not in KNOWN_DAILY:
                raise BadRequest(
                    "Cannot initialize ForecastVariableDaily from invalid String value "
                    f"{name} for key daily"
                )
        if daily and "timezone" not in values:
            raise BadRequest("Timezone is required when daily variables are requested")
        wind_unit = ",".join(values.get("wind_speed_unit", [])) or "kmh"
        if wind_unit not in WIND_UNITS:
            raise BadRequest(
                f"Cannot initialize WindspeedUnit from invalid String value {wind_unit}"
            )
        days = _forecast_days(",".join(values.get("forecast_days", [])) or "7")
        fahrenheit = ",".join(values.get("temperature_unit", [])) == "fahrenheit"
        return cls(latitudes, longitudes, daily, zone_name, days, fahrenheit, wind_unit)

    def units(self) -> dict[str, str]:
        temperature = UNITS_F if self.fahrenheit else UNITS_C
        wind = WIND_UNITS[self.wind_unit]
        every = {
            **temperature,
            "precipitation_sum": "mm",
            "precipitation_probability_max": "%",
            "wind_speed_10m_max": wind,
            "wind_gusts_10m_max": wind,
        }
        return {name: every[name] for name in self.daily}

    def convert(self, name: str, value: float) -> float:
        """The generator thinks in F and mph; answer in the asked units."""
        if name.startswith("temperature") and not self.fahrenheit:
            return round((value - 32) * 5 / 9, 1)
        if name.startswith("wind"):
            factor = {"mph": 1.0, "kmh": KMH_PER_MPH, "ms": KMH_PER_MPH / 3.6, "kn": 0.868976}
            return round(value * factor[self.wind_unit], 1)
        return value


def _coordinates(texts: list[str], name: str, bound: int) -> list[float]:
    numbers: list[float] = []
    for text in texts:
        try:
            number = float(text)
        except ValueError:
            raise BadRequest(
                f"Cannot initialize Float from invalid String value {text} for key {name.lower()}"
            ) from None
        if not -bound <= number <= bound or math.isnan(number):
            raise BadRequest(f"{name} must be in range of -{bound} to {bound}°. Given: {number}.")
        numbers.append(number)
    return numbers


def _forecast_days(text: str) -> int:
    try:
        days = int(text)
    except ValueError:
        raise BadRequest(
            f"Cannot initialize Int from invalid String value {text} for key forecast_days"
        ) from None
    if not 0 <= days <= MAX_FORECAST_DAYS:
        raise BadRequest(f"Forecast days is invalid. Allowed range 0 to {MAX_FORECAST_DAYS}.")
    return days


def _zone(name: str) -> ZoneInfo:
    if name in ("GMT", "UTC", "auto"):
        return ZoneInfo("UTC")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadRequest(f"Invalid timezone '{name}'") from None


def today_abbreviation(zone: ZoneInfo, today: date) -> str:
    return datetime.combine(today, datetime.min.time(), zone).tzname() or "GMT"


def grid_centre(coordinate: float) -> float:
    """The centre of the fake model's 0.025° cell: what the real API answers instead of the
    asked coordinate."""
    return round(math.floor(coordinate / 0.025) * 0.025 + 0.0125, 4)


def error(status: int, reason: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": True, "reason": reason}, status_code=status, headers=headers)
