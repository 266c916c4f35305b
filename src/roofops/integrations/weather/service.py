"""Forecast refresh: fetch the daily forecast of every job site's grid cell, then store it.

A refresh fetches every cell before it writes a row: a fetch that fails (after the client's
retries) raises and leaves the stored forecasts exactly as they were, never half-refreshed.
Sites are grouped by grid cell (two decimals, about 1 km), so neighbouring jobs cost one
coordinate in one batched request.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

import httpx
from sqlalchemy.orm import Session

from roofops.company.service import company_service
from roofops.config import Settings
from roofops.engines.weather import DayForecast, grid_cell
from roofops.integrations.weather.client import Cell, OpenMeteoClient
from roofops.integrations.weather.repository import ForecastRepository, worked_soon_sites
from roofops.integrations.weather.schemas import MAX_FORECAST_DAYS, LocationForecast
from roofops.kit.http import RetryPolicy
from roofops.kit.time import utcnow
from roofops.logging import get_logger

log = get_logger(__name__)

SOURCE = "open-meteo"
# Where the demo's sandbox Open-Meteo answers, under the server's own address.
SANDBOX_PATH = "/sandbox/openmeteo/v1/"
# Days of past forecasts kept: the board shows the week just gone.
KEEP_PAST_DAYS = 7


class Located(Protocol):
    @property
    def latitude(self) -> float: ...

    @property
    def longitude(self) -> float: ...


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float


@dataclass(frozen=True)
class RefreshReport:
    """What a refresh stored: cells asked, (cell, day) rows written, days the API left blank."""

    cells: int
    rows: int
    blank_days: int


@dataclass(frozen=True)
class FetchedForecasts:
    """Every asked cell's days, fetched and not yet stored."""

    cells: list[Cell]
    days: list[list[DayForecast]]

    def rows(self) -> tuple[list[dict[str, Any]], int]:
        """Table rows, and how many days were left out for a missing value (stored as none:
        a day the model did not forecast is "no forecast", not a calm dry day)."""
        fetched_at, rows, blank = utcnow(), [], 0
        for (latitude, longitude), days in zip(self.cells, self.days, strict=True):
            for day in days:
                row = _row(latitude, longitude, day)
                if row is None:
                    blank += 1
                else:
                    rows.append({**row, "source": SOURCE, "fetched_at": fetched_at})
        return rows, blank


def _row(latitude: float, longitude: float, day: DayForecast) -> dict[str, Any] | None:
    needed = (day.precipitation_mm, day.wind_max_mph, day.gust_max_mph)
    temperatures = (day.temp_min_f, day.temp_max_f)
    if any(value is None for value in (*needed, *temperatures)):
        return None
    probability = day.precipitation_probability
    return {
        "latitude": latitude,
        "longitude": longitude,
        "on": day.on,
        "precipitation_mm": day.precipitation_mm,
        "precipitation_probability": None if probability is None else round(probability),
        "wind_max_mph": day.wind_max_mph,
        "gust_max_mph": day.gust_max_mph,
        "temp_min_f": day.temp_min_f,
        "temp_max_f": day.temp_max_f,
    }


class WeatherService:
    def refresh_forecasts(
        self,
        session: Session,
        sites: Iterable[Located],
        days: int = MAX_FORECAST_DAYS,
        *,
        client: OpenMeteoClient,
    ) -> RefreshReport:
        """Fetch ``days`` days for the cells of ``sites`` and upsert them (flushes only).

        Raises the client's :class:`~roofops.kit.http.VendorError` when a fetch fails; nothing
        is written then.
        """
        zone = company_service.get(session).time_zone
        fetched = self.fetch(client, cells_of(sites), days, zone)
        return self.store(session, fetched)

    def fetch(
        self, client: OpenMeteoClient, cells: Sequence[Cell], days: int, zone: str
    ) -> FetchedForecasts:
        """Every cell's forecast, or the client's error: no database involved."""
        answers: list[LocationForecast] = client.forecast(cells, days=days, timezone=zone)
        return FetchedForecasts(list(cells), [answer.daily.days() for answer in answers])

    def store(self, session: Session, fetched: FetchedForecasts) -> RefreshReport:
        rows, blank = fetched.rows()
        repository = ForecastRepository(session)
        repository.upsert(rows)
        repository.prune(utcnow().date() - timedelta(days=KEEP_PAST_DAYS))
        log.info("weather.refresh.stored", cells=len(fetched.cells), rows=len(rows), blank=blank)
        return RefreshReport(len(fetched.cells), len(rows), blank)

    def refresh_plan(self, session: Session, settings: Settings) -> RefreshPlan | None:
        """What a scheduled refresh fetches, or None when forecasts are off (outside a demo)."""
        company = company_service.get(session)
        if not (settings.weather_enabled or company.is_demo):
            return None
        cells = cells_of(Point(lat, lon) for lat, lon in worked_soon_sites(session))
        return RefreshPlan(cells, company.time_zone, forecast_base_url(settings, company.is_demo))


@dataclass(frozen=True)
class RefreshPlan:
    cells: list[Cell]
    zone: str
    base_url: str


def cells_of(sites: Iterable[Located]) -> list[Cell]:
    """The distinct grid cells of ``sites``, in a stable order."""
    return sorted({grid_cell(site.latitude, site.longitude) for site in sites})


def forecast_base_url(settings: Settings, is_demo: bool) -> str:
    """The demo always asks its sandbox (no network, no subscription needed)."""
    if is_demo:
        return f"{settings.base_url.rstrip('/')}{SANDBOX_PATH}"
    return settings.weather_base_url


def open_meteo_client(settings: Settings, base_url: str | None = None) -> OpenMeteoClient:
    key = settings.weather_api_key
    return OpenMeteoClient(
        base_url=base_url or settings.weather_base_url,
        timeout=httpx.Timeout(settings.weather_timeout_seconds, connect=5.0),
        retry=RetryPolicy(give_up_after=120.0),
        api_key=key.get_secret_value() if key is not None else None,
    )


weather_service = WeatherService()
