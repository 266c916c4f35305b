"""Weather rules per roofing material: can this roof be worked on that day, and if not, why.

Pure: a day's forecast and a material in, ``None`` or a reason sentence out. The limits are the
roofing-domain digest's (``/work/shared/specs/roofing-domain.md``, "Weather limits", sources
D10/D11): no installing on wet surfaces, stop at sustained wind or gusts of 25 mph or more,
shingle sealant needs 40-45 F (45 F for some adhesives, hence a setting), shingles scuff above
about 95 F. Low-slope TPO adhesives share the 40 F floor. The digest gives no temperature limit
for metal or tile, so those stop for rain and wind only; gutters likewise (ladder work in wind
and rain). A material this module does not know gets the rules every roof shares.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

# The material names the job model stores (``roofops.models.enums.Material``), spelled out here
# because an engine imports no other roofops package.
ASPHALT_SHINGLE = "asphalt_shingle"
METAL = "metal"
TILE = "tile"
LOW_SLOPE_TPO = "low_slope_tpo"
GUTTERS = "gutters"

# A day inside the horizon with no stored forecast: workable, but the board says so.
NO_FORECAST = "no forecast"
# Open-Meteo's grid is coarser than this; two decimals (about 1 km) share one forecast.
GRID_DECIMALS = 2


@dataclass(frozen=True, kw_only=True)
class DayForecast:
    """One day at one grid cell, in the units the rules use (mm, %, mph, F).

    A value the provider left out (Open-Meteo answers ``null`` where a model has no data, e.g.
    precipitation probability beyond its ensemble's range) is ``None`` and trips no rule.
    """

    on: date
    precipitation_mm: float | None = None
    precipitation_probability: float | None = None
    wind_max_mph: float | None = None
    gust_max_mph: float | None = None
    temp_min_f: float | None = None
    temp_max_f: float | None = None


@dataclass(frozen=True, kw_only=True)
class WeatherLimits:
    """Where work stops. ``shingle_min_f`` is 40 F by default; set it to 45 F for the
    adhesives (and manufacturers) that ask for it."""

    rain_probability_pct: float = 60.0
    rain_mm: float = 2.0
    wind_mph: float = 25.0
    shingle_min_f: float = 40.0
    shingle_max_f: float = 95.0
    tpo_min_f: float = 40.0

    def __post_init__(self) -> None:
        if not 0 < self.rain_probability_pct <= 100:
            raise ValueError("rain_probability_pct must be in (0, 100]")
        if min(self.rain_mm, self.wind_mph) <= 0:
            raise ValueError("rain_mm and wind_mph must be positive")
        if self.shingle_min_f >= self.shingle_max_f:
            raise ValueError("shingle_min_f must be below shingle_max_f")


@dataclass(frozen=True)
class WeatherSite:
    """A place to work and the material worked there; ``key`` is the caller's (a task's site)."""

    key: str
    latitude: float
    longitude: float
    material: str

    @property
    def cell(self) -> tuple[float, float]:
        return grid_cell(self.latitude, self.longitude)


Rule = Callable[[DayForecast, WeatherLimits], str | None]


def _number(value: float) -> str:
    """Whole units, rounded down: a 39.6 F low reads "39 F", never "40 F: below 40 F"."""
    return str(math.floor(value))


def rain(day: DayForecast, limits: WeatherLimits) -> str | None:
    """Wet decking cannot be covered: a likely or a measurable rain stops every roof."""
    chance = day.precipitation_probability
    if chance is not None and chance >= limits.rain_probability_pct:
        return f"rain {_number(chance)} %"
    amount = day.precipitation_mm
    if amount is not None and amount >= limits.rain_mm:
        return f"rain {amount:.1f} mm"
    return None


def wind(day: DayForecast, limits: WeatherLimits) -> str | None:
    """Gusts first: they are what lifts an unsealed course or turns a sheet into a sail."""
    if day.gust_max_mph is not None and day.gust_max_mph >= limits.wind_mph:
        return f"gusts {_number(day.gust_max_mph)} mph"
    if day.wind_max_mph is not None and day.wind_max_mph >= limits.wind_mph:
        return f"wind {_number(day.wind_max_mph)} mph"
    return None


def shingle_cold(day: DayForecast, limits: WeatherLimits) -> str | None:
    return _too_cold(day, limits.shingle_min_f, "shingle")


def shingle_heat(day: DayForecast, limits: WeatherLimits) -> str | None:
    high = day.temp_max_f
    if high is not None and high > limits.shingle_max_f:
        shown = math.ceil(high)  # rounded up, for the same reason
        return f"{shown} F high: above the {_number(limits.shingle_max_f)} F shingle limit"
    return None


def tpo_cold(day: DayForecast, limits: WeatherLimits) -> str | None:
    return _too_cold(day, limits.tpo_min_f, "TPO adhesive")


def _too_cold(day: DayForecast, floor: float, what: str) -> str | None:
    low = day.temp_min_f
    if low is not None and low < floor:
        return f"{_number(low)} F low: below the {_number(floor)} F {what} limit"
    return None


SHARED_RULES: tuple[Rule, ...] = (rain, wind)
RULES_BY_MATERIAL: dict[str, tuple[Rule, ...]] = {
    ASPHALT_SHINGLE: (*SHARED_RULES, shingle_cold, shingle_heat),
    LOW_SLOPE_TPO: (*SHARED_RULES, tpo_cold),
    METAL: SHARED_RULES,
    TILE: SHARED_RULES,
    GUTTERS: SHARED_RULES,
}


def unworkable_reason(
    day: DayForecast, material: str, limits: WeatherLimits | None = None
) -> str | None:
    """Why ``material`` cannot be worked on ``day``, or ``None`` when it can.

    Parameters
    ----------
    day
        The forecast of the site's grid cell for that day.
    material
        A job material name (``"asphalt_shingle"``, ``"metal"``, ``"tile"``,
        ``"low_slope_tpo"``, ``"gutters"``); any other name gets the rain and wind rules.
    limits
        The thresholds; the defaults follow the roofing-domain digest.

    Returns
    -------
    str or None
        Every broken rule's sentence joined by ``"; "`` (``"rain 80 %; gusts 31 mph"``), or
        ``None`` for a workable day.
    """
    limits = limits or WeatherLimits()
    reasons = [
        reason
        for rule in RULES_BY_MATERIAL.get(material, SHARED_RULES)
        if (reason := rule(day, limits)) is not None
    ]
    return "; ".join(reasons) or None


def grid_cell(latitude: float, longitude: float) -> tuple[float, float]:
    """The forecast cell of a point: both coordinates rounded to two decimals (about 1 km).

    Sites in one cell share one forecast and one request slot."""
    return round(latitude, GRID_DECIMALS), round(longitude, GRID_DECIMALS)


def site_outlook(
    site: WeatherSite,
    days: list[date],
    forecasts: dict[date, DayForecast],
    limits: WeatherLimits | None = None,
) -> dict[date, str]:
    """Each day of ``days`` that is not plainly workable for ``site``: its reason, or
    :data:`NO_FORECAST` where the cell has no forecast for that day (workable, but unknown)."""
    notes: dict[date, str] = {}
    for day in days:
        forecast = forecasts.get(day)
        reason = (
            NO_FORECAST if forecast is None else unworkable_reason(forecast, site.material, limits)
        )
        if reason is not None:
            notes[day] = reason
    return notes
