"""The Open-Meteo client over real HTTP to the fake, and on the documented answer shapes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from roofops.integrations.weather.client import (
    MAX_LOCATIONS_PER_REQUEST,
    OpenMeteoClient,
    parse_locations,
)
from roofops.integrations.weather.schemas import DAILY_VARIABLES
from roofops.kit.http import VendorRateLimited, VendorRequestError, VendorResponseError
from roofops.sandbox.openmeteo.fake import FakeOpenMeteo
from tests.integrations.weather.conftest import TODAY, ManualClock, payload

DENVER = (39.74, -104.99)
BOULDER = (40.02, -105.27)


def test_the_documented_multi_location_answer_parses_with_nulls_as_unknown() -> None:
    denver, boulder = parse_locations(payload("forecast_two_locations.json"))
    assert denver.timezone == "America/Denver"
    days = denver.daily.days()
    assert [day.on.isoformat() for day in days] == ["2026-12-07", "2026-12-08", "2026-12-09"]
    assert days[1].precipitation_probability == 84
    assert days[1].gust_max_mph == 36.7
    assert days[1].temp_min_f == 26.3
    assert days[2].precipitation_mm is None
    assert days[2].temp_min_f is None
    assert boulder.daily.days()[0].temp_max_f == 63.4


def test_one_location_is_answered_as_an_object_and_read_as_a_list_of_one() -> None:
    first = payload("forecast_two_locations.json")[0]
    assert len(parse_locations(first)) == 1


def test_an_answer_in_kmh_is_refused_rather_than_read_as_mph() -> None:
    location = payload("forecast_two_locations.json")[0]
    location["daily_units"]["wind_gusts_10m_max"] = "km/h"
    with pytest.raises(VendorResponseError, match="expected 'mp/h'"):
        parse_locations(location)


def test_misaligned_columns_are_refused() -> None:
    location = payload("forecast_two_locations.json")[0]
    location["daily"]["temperature_2m_min"].pop()
    with pytest.raises(VendorResponseError, match="daily"):
        parse_locations(location)


def test_several_cells_come_back_in_order_from_one_request(
    weather_client: OpenMeteoClient, fake: FakeOpenMeteo
) -> None:
    answers = weather_client.forecast([DENVER, BOULDER], days=16, timezone="America/Denver")
    assert len(answers) == 2
    # The answer names the model's cell centre, near but not at the asked point.
    assert answers[0].latitude == pytest.approx(DENVER[0], abs=0.03)
    assert answers[1].longitude == pytest.approx(BOULDER[1], abs=0.03)
    days = answers[0].daily.days()
    assert [day.on for day in days] == [TODAY + timedelta(days=n) for n in range(16)]
    (request,) = fake.requests.entries()
    assert request.query["latitude"] == "39.74,40.02"
    assert request.query["daily"] == ",".join(DAILY_VARIABLES)
    assert request.query["temperature_unit"] == "fahrenheit"
    assert request.query["wind_speed_unit"] == "mph"


def test_many_cells_are_batched(weather_client: OpenMeteoClient, fake: FakeOpenMeteo) -> None:
    cells = [(39.0 + n / 100, -105.0) for n in range(MAX_LOCATIONS_PER_REQUEST + 5)]
    answers = weather_client.forecast(cells, days=2, timezone="America/Denver")
    assert len(answers) == len(cells)
    assert fake.requests.count() == 2


def test_a_429_storm_is_ridden_out_honouring_retry_after(
    weather_client: OpenMeteoClient, fake: FakeOpenMeteo, clock: ManualClock
) -> None:
    fake.storm(5)
    answers = weather_client.forecast([DENVER], days=3, timezone="America/Denver")
    assert len(answers) == 1
    assert clock.waits == [1.0] * 5  # Retry-After: 1, until the storm passed
    assert [entry.status for entry in fake.requests.entries()] == [429] * 5 + [200]


def test_a_storm_longer_than_the_budget_gives_up_as_rate_limited(
    weather_client: OpenMeteoClient, fake: FakeOpenMeteo
) -> None:
    fake.storm(600)
    with pytest.raises(VendorRateLimited, match="gave up after"):
        weather_client.forecast([DENVER], days=3, timezone="America/Denver")


def test_server_errors_are_retried(weather_client: OpenMeteoClient, fake: FakeOpenMeteo) -> None:
    fake.faults.server_errors = 2
    assert len(weather_client.forecast([DENVER], days=1, timezone="UTC")) == 1
    assert [entry.status for entry in fake.requests.entries()] == [503, 503, 200]


def test_a_refused_request_says_open_meteos_reason(weather_client: OpenMeteoClient) -> None:
    with pytest.raises(VendorRequestError, match="Invalid timezone 'Mars/Olympus'"):
        weather_client.forecast([DENVER], days=3, timezone="Mars/Olympus")
    with pytest.raises(VendorRequestError, match="Latitude must be in range"):
        weather_client.forecast([(91.0, 0.0)], days=3, timezone="UTC")


def test_days_outside_open_meteos_range_are_refused_before_asking(
    weather_client: OpenMeteoClient, fake: FakeOpenMeteo
) -> None:
    with pytest.raises(ValueError, match="1 to 16 days"):
        weather_client.forecast([DENVER], days=17, timezone="UTC")
    assert fake.requests.count() == 0
