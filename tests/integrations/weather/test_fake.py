"""The Open-Meteo fake: deterministic, weather-like, and refusing what the real API refuses."""

from __future__ import annotations

from datetime import date, timedelta

import anyio
import httpx
import pytest

from roofops.sandbox.openmeteo.fake import FakeOpenMeteo
from roofops.sandbox.openmeteo.weather import cell_day

FORECAST = {
    "latitude": "39.74",
    "longitude": "-104.99",
    "daily": "temperature_2m_min,wind_gusts_10m_max",
    "timezone": "America/Denver",
    "forecast_days": "3",
}


def test_a_day_is_the_same_whatever_range_or_batch_asked_for_it() -> None:
    day = date(2027, 1, 12)
    assert cell_day(3, 39.74, -104.99, day) == cell_day(3, 39.74, -104.99, day)
    assert cell_day(3, 39.74, -104.99, day) != cell_day(4, 39.74, -104.99, day)


def test_rain_comes_in_spells_shared_by_neighbouring_sites() -> None:
    days = [date(2027, 4, 1) + timedelta(days=n) for n in range(365)]
    here = [cell_day(5, 39.74, -104.99, day).precipitation_probability_max >= 65 for day in days]
    nearby = [cell_day(5, 39.71, -104.95, day).precipitation_probability_max >= 65 for day in days]
    assert here == nearby  # one region, one weather system
    wet_days = sum(here)
    spells = sum(1 for before, now in zip([False, *here], here, strict=False) if now and not before)
    assert 0.2 < wet_days / len(days) < 0.5
    assert wet_days / spells > 1.8  # runs, not scattered days


def test_fronts_bring_wind_and_winter_brings_cold_snaps() -> None:
    winter = [date(2026, 12, 1) + timedelta(days=n) for n in range(90)]
    summer = [date(2027, 7, 1) + timedelta(days=n) for n in range(90)]
    cold = [cell_day(5, 39.74, -104.99, day).temperature_2m_min for day in winter]
    warm = [cell_day(5, 39.74, -104.99, day).temperature_2m_min for day in summer]
    assert min(cold) < 15
    assert min(warm) > 40
    gusts = [cell_day(5, 39.74, -104.99, day).wind_gusts_10m_max for day in winter + summer]
    assert any(gust >= 25 for gust in gusts)
    assert sum(gust >= 25 for gust in gusts) < len(gusts) / 3


def test_one_location_answers_an_object_in_the_asked_units() -> None:
    fake = FakeOpenMeteo(seed=1)
    body = fake.answer(list({**FORECAST, "wind_speed_unit": "kmh"}.items()))
    assert isinstance(body, dict)
    assert body["daily_units"] == {
        "time": "iso8601",
        "temperature_2m_min": "°C",
        "wind_gusts_10m_max": "km/h",
    }
    assert len(body["daily"]["time"]) == 3


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"daily": "tempeture_2m_max"}, "invalid String value tempeture_2m_max for key daily"),
        ({"forecast_days": "17"}, "Forecast days is invalid. Allowed range 0 to 16."),
        ({"latitude": "39.74,40.0"}, "must have the same number of elements"),
        ({"timezone": "Nowhere/Land"}, "Invalid timezone"),
    ],
)
def test_bad_requests_answer_400_with_the_error_envelope(
    change: dict[str, str], reason: str
) -> None:
    transport = httpx.ASGITransport(app=FakeOpenMeteo().app())

    async def ask() -> httpx.Response:
        async with httpx.AsyncClient(transport=transport, base_url="http://fake") as client:
            return await client.get("/v1/forecast", params={**FORECAST, **change})

    response = anyio.run(ask)
    assert response.status_code == 400
    assert response.json()["error"] is True
    assert reason in response.json()["reason"]


def test_a_storm_is_started_and_ended_by_its_control_endpoint() -> None:
    fake = FakeOpenMeteo()
    transport = httpx.ASGITransport(app=fake.app())

    async def storm_then_ask() -> list[int]:
        async with httpx.AsyncClient(transport=transport, base_url="http://fake") as client:
            await client.post("/control/storm", params={"seconds": "60"})
            during = await client.get("/v1/forecast", params=FORECAST)
            await client.post("/control/calm")
            after = await client.get("/v1/forecast", params=FORECAST)
            return [during.status_code, after.status_code]

    assert anyio.run(storm_then_ask) == [429, 200]
