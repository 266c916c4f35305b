"""The forecast-reading weather outlook the dispatch domain asks which days a site cannot be
worked (its ``WeatherOutlook`` protocol), through the rules of :mod:`roofops.engines.weather`.

It reads only the stored forecasts (``weather_forecasts``, kept fresh by ``weather.refresh``):
planning never waits on a vendor. A day with no stored forecast is workable; :meth:`day_notes`
says "no forecast" for it, for the board and the reasons people read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from roofops.config import Settings
from roofops.dispatch.weather import UnworkableDays, WorkSite
from roofops.engines.weather import (
    NO_FORECAST,
    DayForecast,
    WeatherLimits,
    WeatherSite,
    site_outlook,
)
from roofops.integrations.weather.repository import Cell, ForecastRepository
from roofops.models.dispatch import WeatherForecast

SiteDay = tuple[str, date]


@dataclass(frozen=True)
class ForecastOutlook:
    limits: WeatherLimits = field(default_factory=WeatherLimits)

    @classmethod
    def from_settings(cls, settings: Settings) -> ForecastOutlook:
        return cls(weather_limits(settings))

    def unworkable_days(
        self, session: Session, sites_with_material: Sequence[WorkSite], days: Sequence[date]
    ) -> UnworkableDays:
        """(site key, day) -> why the site cannot be worked that day; days without a forecast
        are workable and left out."""
        notes = self.day_notes(session, sites_with_material, days)
        return {key: reason for key, reason in notes.items() if reason != NO_FORECAST}

    def day_notes(
        self, session: Session, sites_with_material: Sequence[WorkSite], days: Sequence[date]
    ) -> dict[SiteDay, str]:
        """Every (site, day) that is not plainly workable: its reason, or "no forecast"."""
        if not sites_with_material or not days:
            return {}
        sites = [weather_site(site) for site in sites_with_material]
        forecasts = stored_days(session, {site.cell for site in sites}, min(days), max(days))
        notes: dict[SiteDay, str] = {}
        for site in sites:
            for day, reason in site_outlook(
                site, list(days), forecasts.get(site.cell, {}), self.limits
            ).items():
                notes[(site.key, day)] = reason
        return notes


def weather_site(site: WorkSite) -> WeatherSite:
    return WeatherSite(site.key, site.latitude, site.longitude, str(site.material))


def stored_days(
    session: Session, cells: set[Cell], first: date, last: date
) -> dict[Cell, dict[date, DayForecast]]:
    by_cell: dict[Cell, dict[date, DayForecast]] = defaultdict(dict)
    for row in ForecastRepository(session).for_cells(cells, first, last):
        by_cell[(row.latitude, row.longitude)][row.on] = day_forecast(row)
    return by_cell


def day_forecast(row: WeatherForecast) -> DayForecast:
    return DayForecast(
        on=row.on,
        precipitation_mm=row.precipitation_mm,
        precipitation_probability=row.precipitation_probability,
        wind_max_mph=row.wind_max_mph,
        gust_max_mph=row.gust_max_mph,
        temp_min_f=row.temp_min_f,
        temp_max_f=row.temp_max_f,
    )


def weather_limits(settings: Settings) -> WeatherLimits:
    return WeatherLimits(
        rain_probability_pct=settings.weather_rain_probability_pct,
        rain_mm=settings.weather_rain_mm,
        wind_mph=settings.weather_wind_mph,
        shingle_min_f=settings.weather_shingle_min_f,
        tpo_min_f=settings.weather_tpo_min_f,
    )
