"""Pydantic models of Open-Meteo's forecast answer, with the vendor's own field names.

Source: the Open-Meteo forecast API documentation, https://open-meteo.com/en/docs ("API
Documentation", "Daily Parameter Definition", "JSON Return Object", "Errors"; the page's source
is open-meteo/open-meteo-website ``src/routes/en/docs/+page.svelte``):

- ``GET /v1/forecast?latitude=..&longitude=..&daily=<names>&timezone=..&forecast_days=0..16``;
  "Multiple coordinates can be comma separated. E.g. ``&latitude=52.52,48.85&longitude=13.41,
  2.35``. To return data for multiple locations the JSON output changes to a list of
  structures." "If daily weather variables are specified, parameter timezone is required."
- ``temperature_unit=fahrenheit``, ``wind_speed_unit=mph`` (``daily_units`` then says ``"°F"``
  and ``"mp/h"``); precipitation stays in mm.
- daily ``precipitation_sum`` (mm), ``precipitation_probability_max`` (%),
  ``wind_speed_10m_max`` / ``wind_gusts_10m_max``, ``temperature_2m_max`` /
  ``temperature_2m_min``; each a list aligned with ``daily.time`` (ISO dates), ``null`` where a
  model has no value.
- ``latitude``/``longitude`` in the answer are the grid cell's centre "which might be a few
  kilometers away from the requested coordinate": answers are matched to requests by order.
- Errors: HTTP 400 with ``{"error": true, "reason": "..."}``.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, model_validator

from roofops.engines.weather import DayForecast

DAILY_VARIABLES = (
    "precipitation_sum",
    "precipitation_probability_max",
    "wind_speed_10m_max",
    "wind_gusts_10m_max",
    "temperature_2m_min",
    "temperature_2m_max",
)
MAX_FORECAST_DAYS = 16


class OpenMeteoModel(BaseModel):
    # The API adds fields (and variables) without notice: keep them rather than fail.
    model_config = ConfigDict(extra="allow")


class Daily(OpenMeteoModel):
    """Column arrays aligned with ``time``; a column we did not ask for may be absent."""

    time: list[date]
    precipitation_sum: list[float | None] | None = None
    precipitation_probability_max: list[float | None] | None = None
    wind_speed_10m_max: list[float | None] | None = None
    wind_gusts_10m_max: list[float | None] | None = None
    temperature_2m_min: list[float | None] | None = None
    temperature_2m_max: list[float | None] | None = None

    @model_validator(mode="after")
    def _aligned(self) -> Daily:
        for name in DAILY_VARIABLES:
            column = getattr(self, name)
            if column is not None and len(column) != len(self.time):
                raise ValueError(f"daily.{name} has {len(column)} values for {len(self.time)} days")
        return self

    def days(self) -> list[DayForecast]:
        return [self._day(index, on) for index, on in enumerate(self.time)]

    def _day(self, index: int, on: date) -> DayForecast:
        def value(column: list[float | None] | None) -> float | None:
            return None if column is None else column[index]

        return DayForecast(
            on=on,
            precipitation_mm=value(self.precipitation_sum),
            precipitation_probability=value(self.precipitation_probability_max),
            wind_max_mph=value(self.wind_speed_10m_max),
            gust_max_mph=value(self.wind_gusts_10m_max),
            temp_min_f=value(self.temperature_2m_min),
            temp_max_f=value(self.temperature_2m_max),
        )


class LocationForecast(OpenMeteoModel):
    """One location's answer: the model's grid cell, its time zone and the daily columns."""

    latitude: float
    longitude: float
    timezone: str = ""
    utc_offset_seconds: int = 0
    generationtime_ms: float | None = None
    elevation: float | None = None
    daily_units: dict[str, str] = Field(default_factory=dict)
    daily: Daily

    @model_validator(mode="after")
    def _units(self) -> LocationForecast:
        """A proxy or a changed default must not turn km/h into mph silently."""
        expected = {"wind_gusts_10m_max": "mp/h", "temperature_2m_min": "°F"}
        for name, unit in expected.items():
            given = self.daily_units.get(name)
            if given is not None and given != unit:
                raise ValueError(f"daily_units.{name} is {given!r}, expected {unit!r}")
        return self


class ErrorBody(OpenMeteoModel):
    error: bool = True
    reason: str = ""
