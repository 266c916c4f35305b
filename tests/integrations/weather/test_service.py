"""Forecast refresh into ``weather_forecasts`` over real HTTP, and the outlook that reads it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from roofops.company.service import company_service
from roofops.config import Settings, get_settings
from roofops.dispatch.weather import WorkSite
from roofops.engines.weather import NO_FORECAST, WeatherLimits
from roofops.integrations.weather import tasks
from roofops.integrations.weather.client import OpenMeteoClient, parse_locations
from roofops.integrations.weather.outlook import ForecastOutlook, day_forecast
from roofops.integrations.weather.repository import ForecastRepository
from roofops.integrations.weather.service import (
    SANDBOX_PATH,
    FetchedForecasts,
    Point,
    weather_service,
)
from roofops.kit.http import RetryPolicy, VendorRateLimited, VendorUnavailable
from roofops.kit.time import utcnow
from roofops.models.dispatch import WeatherForecast
from roofops.models.enums import JobStage, Material
from roofops.models.property import Property
from roofops.sandbox.openmeteo.fake import FakeOpenMeteo
from tests.factories import make_job
from tests.integrations.weather.conftest import TODAY, ManualClock, payload

DENVER = Point(39.7412, -104.9903)
NEXT_DOOR = Point(39.7449, -104.9851)  # the same 0.01° cell
BOULDER = Point(40.0150, -105.2705)


def stored(db: Session) -> list[WeatherForecast]:
    return list(db.scalars(sa.select(WeatherForecast).order_by(WeatherForecast.on)))


def test_a_refresh_stores_16_days_per_grid_cell(
    db: Session, weather_client: OpenMeteoClient, fake: FakeOpenMeteo
) -> None:
    report = weather_service.refresh_forecasts(
        db, [DENVER, NEXT_DOOR, BOULDER], client=weather_client
    )
    assert (report.cells, report.rows, report.blank_days) == (2, 32, 0)
    rows = stored(db)
    assert {(row.latitude, row.longitude) for row in rows} == {(39.74, -104.99), (40.02, -105.27)}
    assert {row.on for row in rows} == {TODAY + timedelta(days=n) for n in range(16)}
    assert all(row.source == "open-meteo" for row in rows)
    assert fake.requests.count() == 1  # both cells in one request


def test_a_second_refresh_overwrites_the_days_it_brings(
    db: Session, weather_client: OpenMeteoClient
) -> None:
    ForecastRepository(db).upsert([stale_row()])
    (loaded,) = stored(db)
    weather_service.refresh_forecasts(db, [DENVER], days=3, client=weather_client)
    rows = stored(db)
    assert len(rows) == 3
    assert rows[0] is loaded
    assert loaded.on == TODAY
    assert loaded.temp_min_f != -40.0  # the row loaded before reads the new values
    assert loaded.source == "open-meteo"


def test_an_outage_keeps_the_previous_forecast(
    db: Session, weather_client: OpenMeteoClient, fake: FakeOpenMeteo
) -> None:
    weather_service.refresh_forecasts(db, [DENVER], days=3, client=weather_client)
    before = [(row.on, row.temp_min_f, row.fetched_at) for row in stored(db)]
    fake.storm(600)
    with pytest.raises(VendorRateLimited):
        weather_service.refresh_forecasts(db, [DENVER, BOULDER], days=3, client=weather_client)
    assert [(row.on, row.temp_min_f, row.fetched_at) for row in stored(db)] == before


class FailsAfter(httpx.BaseTransport):
    """The network going away after ``answers`` requests."""

    def __init__(self, answers: int) -> None:
        self.left = answers
        self.inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.left -= 1
        if self.left < 0:
            raise httpx.ConnectError("network unreachable", request=request)
        return self.inner.handle_request(request)


def test_a_fetch_failing_after_the_first_batch_writes_nothing(
    db: Session, base_url: str, clock: ManualClock
) -> None:
    cells = [Point(38.0 + n / 100, -105.0) for n in range(150)]  # two requests
    client = OpenMeteoClient(
        base_url=base_url,
        transport=FailsAfter(1),
        retry=RetryPolicy(give_up_after=5.0),
        sleep=clock.sleep,
        clock=clock,
    )
    with client, pytest.raises(VendorUnavailable):
        weather_service.refresh_forecasts(db, cells, days=2, client=client)
    assert stored(db) == []


def test_days_the_api_left_blank_are_not_stored_as_calm_dry_days() -> None:
    answers = parse_locations(payload("forecast_two_locations.json"))
    fetched = FetchedForecasts(
        [(39.74, -104.99), (40.02, -105.27)], [answer.daily.days() for answer in answers]
    )
    rows, blank = fetched.rows()
    assert blank == 1
    assert len(rows) == 5
    assert {row["precipitation_probability"] for row in rows} >= {84, 35}


def test_the_outlook_reads_the_stored_forecast_through_the_material_rules(
    db: Session, weather_client: OpenMeteoClient
) -> None:
    weather_service.refresh_forecasts(db, [DENVER], days=16, client=weather_client)
    days = [TODAY + timedelta(days=n) for n in range(20)]
    shingles = WorkSite("job-1", DENVER.latitude, DENVER.longitude, Material.ASPHALT_SHINGLE)
    metal = WorkSite("job-2", NEXT_DOOR.latitude, NEXT_DOOR.longitude, Material.METAL)
    outlook = ForecastOutlook(WeatherLimits())
    unworkable = outlook.unworkable_days(db, [shingles, metal], days)
    notes = outlook.day_notes(db, [shingles, metal], days)

    by_day = {row.on: day_forecast(row) for row in stored(db)}
    limits = WeatherLimits()
    for day in days[:16]:
        cold = (by_day[day].temp_min_f or 99) < limits.shingle_min_f
        if cold:
            assert "shingle limit" in unworkable[("job-1", day)]
            assert "shingle limit" not in unworkable.get(("job-2", day), "")
    # December in Denver: cold mornings stop the shingles on many days, not the metal.
    stopped = [site for site, _ in unworkable]
    assert stopped.count("job-1") > stopped.count("job-2")
    # Past the 16 forecast days: workable, and said to be unknown.
    assert ("job-1", days[18]) not in unworkable
    assert notes[("job-1", days[18])] == NO_FORECAST


def test_the_outlook_without_sites_or_days_asks_nothing(db: Session) -> None:
    assert ForecastOutlook().unworkable_days(db, [], [TODAY]) == {}


def test_a_scheduled_refresh_covers_the_sites_of_jobs_about_to_be_worked(
    db: Session, settings: Settings
) -> None:
    make_job(db, stage=JobStage.CONTRACT_SIGNED)
    lead = make_job(db, stage=JobStage.LEAD)  # a lead's roof is not worked soon
    in_boulder = db.get(Property, lead.property_id)
    assert in_boulder is not None
    in_boulder.latitude, in_boulder.longitude = BOULDER.latitude, BOULDER.longitude
    assert weather_service.refresh_plan(db, settings) is None  # off by default
    plan = weather_service.refresh_plan(db, settings.model_copy(update={"weather_enabled": True}))
    assert plan is not None
    assert plan.zone == "America/Denver"
    assert plan.base_url == settings.weather_base_url
    assert plan.cells == [(39.74, -104.99)]  # the signed job's site only (factory: Denver)


def test_a_demo_company_refreshes_from_its_sandbox(db: Session, settings: Settings) -> None:
    make_job(db, stage=JobStage.SCHEDULED)
    company_service.get(db).is_demo = True
    plan = weather_service.refresh_plan(db, settings)
    assert plan is not None
    assert plan.base_url == f"{settings.base_url.rstrip('/')}{SANDBOX_PATH}"


@pytest.fixture
def weather_settings(monkeypatch: pytest.MonkeyPatch, base_url: str) -> Iterator[None]:
    monkeypatch.setenv("ROOFOPS_WEATHER_ENABLED", "true")
    monkeypatch.setenv("ROOFOPS_WEATHER_BASE_URL", base_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.usefixtures("weather_settings")
def test_the_refresh_task_fetches_outside_the_transaction_and_stores_after(
    session_maker: sessionmaker[Session], db: Session, fake: FakeOpenMeteo
) -> None:
    make_job(db, stage=JobStage.IN_PRODUCTION)
    db.commit()
    tasks.refresh(session_maker)
    assert len(stored(db)) == 16
    assert fake.requests.count() == 1


def stale_row() -> dict[str, object]:
    return {
        "latitude": 39.74,
        "longitude": -104.99,
        "on": TODAY,
        "precipitation_mm": 0.0,
        "precipitation_probability": 0,
        "wind_max_mph": 0.0,
        "gust_max_mph": 0.0,
        "temp_min_f": -40.0,
        "temp_max_f": -30.0,
        "source": "stale",
        "fetched_at": utcnow(),
    }
