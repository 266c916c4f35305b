"""Weather rules per material: which days stop which roofs, and the sentences that say why."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from roofops.engines.weather import (
    ASPHALT_SHINGLE,
    GUTTERS,
    LOW_SLOPE_TPO,
    METAL,
    NO_FORECAST,
    TILE,
    DayForecast,
    WeatherLimits,
    WeatherSite,
    grid_cell,
    site_outlook,
    unworkable_reason,
)

DAY = date(2026, 12, 7)
MILD = DayForecast(
    on=DAY,
    precipitation_mm=0.0,
    precipitation_probability=10,
    wind_max_mph=8,
    gust_max_mph=14,
    temp_min_f=48,
    temp_max_f=66,
)
EVERY_MATERIAL = (ASPHALT_SHINGLE, METAL, TILE, LOW_SLOPE_TPO, GUTTERS, "other")


def mild(**changes: float | None) -> DayForecast:
    values = {
        "precipitation_mm": MILD.precipitation_mm,
        "precipitation_probability": MILD.precipitation_probability,
        "wind_max_mph": MILD.wind_max_mph,
        "gust_max_mph": MILD.gust_max_mph,
        "temp_min_f": MILD.temp_min_f,
        "temp_max_f": MILD.temp_max_f,
    }
    return DayForecast(on=DAY, **{**values, **changes})


@pytest.mark.parametrize("material", EVERY_MATERIAL)
def test_a_mild_dry_calm_day_is_workable_for_every_material(material: str) -> None:
    assert unworkable_reason(MILD, material) is None


@pytest.mark.parametrize("material", EVERY_MATERIAL)
def test_rain_and_wind_stop_every_roof(material: str) -> None:
    assert unworkable_reason(mild(precipitation_probability=80), material) == "rain 80 %"
    assert unworkable_reason(mild(precipitation_mm=6.4), material) == "rain 6.4 mm"
    assert unworkable_reason(mild(gust_max_mph=31), material) == "gusts 31 mph"
    assert unworkable_reason(mild(wind_max_mph=26, gust_max_mph=24), material) == "wind 26 mph"


def test_the_limits_themselves_stop_work_25_mph_and_the_threshold_chance() -> None:
    assert unworkable_reason(mild(gust_max_mph=25), METAL) == "gusts 25 mph"
    assert unworkable_reason(mild(gust_max_mph=24.9), METAL) is None
    assert unworkable_reason(mild(precipitation_probability=60), METAL) == "rain 60 %"
    assert unworkable_reason(mild(precipitation_probability=59), METAL) is None


def test_shingles_stop_below_40_f_and_above_95_f() -> None:
    cold = mild(temp_min_f=26, temp_max_f=44)
    assert unworkable_reason(cold, ASPHALT_SHINGLE) == "26 F low: below the 40 F shingle limit"
    assert unworkable_reason(mild(temp_min_f=40), ASPHALT_SHINGLE) is None
    hot = mild(temp_min_f=70, temp_max_f=99)
    assert unworkable_reason(hot, ASPHALT_SHINGLE) == "99 F high: above the 95 F shingle limit"


def test_the_shingle_limit_is_a_setting_for_45_f_adhesives() -> None:
    day = mild(temp_min_f=42)
    assert unworkable_reason(day, ASPHALT_SHINGLE) is None
    strict = WeatherLimits(shingle_min_f=45)
    assert unworkable_reason(day, ASPHALT_SHINGLE, strict) == (
        "42 F low: below the 45 F shingle limit"
    )


def test_tpo_adhesive_has_its_own_cold_limit_and_metal_tile_gutters_none() -> None:
    cold = mild(temp_min_f=31)
    assert unworkable_reason(cold, LOW_SLOPE_TPO) == "31 F low: below the 40 F TPO adhesive limit"
    for material in (METAL, TILE, GUTTERS):
        assert unworkable_reason(cold, material) is None


def test_every_broken_rule_is_named() -> None:
    storm = mild(precipitation_probability=90, gust_max_mph=38, temp_min_f=30)
    assert unworkable_reason(storm, ASPHALT_SHINGLE) == (
        "rain 90 %; gusts 38 mph; 30 F low: below the 40 F shingle limit"
    )


def test_values_the_provider_left_out_trip_no_rule() -> None:
    blank = DayForecast(on=DAY)
    assert all(unworkable_reason(blank, material) is None for material in EVERY_MATERIAL)


def test_limits_refuse_nonsense() -> None:
    with pytest.raises(ValueError, match="rain_probability_pct"):
        WeatherLimits(rain_probability_pct=0)
    with pytest.raises(ValueError, match="shingle_min_f"):
        WeatherLimits(shingle_min_f=100)


def test_sites_in_one_grid_cell_share_it() -> None:
    assert grid_cell(39.7412, -104.9903) == grid_cell(39.7449, -104.9851) == (39.74, -104.99)
    site = WeatherSite("job-1", 39.7412, -104.9903, ASPHALT_SHINGLE)
    assert site.cell == (39.74, -104.99)


def test_the_site_outlook_names_unworkable_days_and_days_without_a_forecast() -> None:
    site = WeatherSite("job-1", 39.74, -104.99, ASPHALT_SHINGLE)
    days = [DAY + timedelta(days=offset) for offset in range(3)]
    forecasts = {DAY: MILD, days[1]: mild(precipitation_probability=85)}
    assert site_outlook(site, days, forecasts) == {days[1]: "rain 85 %", days[2]: NO_FORECAST}


forecasts = st.builds(
    DayForecast,
    on=st.just(DAY),
    precipitation_mm=st.none() | st.floats(0, 80),
    precipitation_probability=st.none() | st.floats(0, 100),
    wind_max_mph=st.none() | st.floats(0, 70),
    gust_max_mph=st.none() | st.floats(0, 90),
    temp_min_f=st.none() | st.floats(-30, 80),
    temp_max_f=st.none() | st.floats(-10, 115),
)


@given(day=forecasts, material=st.sampled_from(EVERY_MATERIAL))
def test_a_day_is_unworkable_exactly_when_a_shared_limit_is_reached(
    day: DayForecast, material: str
) -> None:
    """Rain and wind decide for materials without temperature rules; the reason says so."""
    limits = WeatherLimits()
    wet = (day.precipitation_probability or 0) >= limits.rain_probability_pct or (
        day.precipitation_mm or 0
    ) >= limits.rain_mm
    windy = max(day.wind_max_mph or 0, day.gust_max_mph or 0) >= limits.wind_mph
    reason = unworkable_reason(day, material, limits)
    if wet or windy:
        assert reason is not None
        assert ("rain" in reason) == wet
    if material in (METAL, TILE, GUTTERS, "other"):
        assert (reason is not None) == (wet or windy)


def test_a_reason_never_shows_a_value_on_the_right_side_of_its_limit() -> None:
    assert unworkable_reason(mild(temp_min_f=39.6), ASPHALT_SHINGLE) == (
        "39 F low: below the 40 F shingle limit"
    )
    assert unworkable_reason(mild(temp_max_f=95.2), ASPHALT_SHINGLE) == (
        "96 F high: above the 95 F shingle limit"
    )
