"""The demo's sandbox Open-Meteo: seeded weather for the demo company's job sites.

Open-Meteo needs no credentials, so the sandbox only needs the demo company: the weather
refresh of a demo database asks ``{ROOFOPS_BASE_URL}/sandbox/openmeteo/v1/`` by itself. The
demo's seed seeds the weather, so the same demo sees the same storms. At build time the demo
gets what a first refresh would have stored, so its board shows weather before the first
three-hourly refresh runs.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session
from starlette.types import ASGIApp

from roofops.company.service import company_service
from roofops.config import Settings
from roofops.demo.records import DemoData
from roofops.integrations.weather.client import forecast_params, parse_locations
from roofops.integrations.weather.repository import worked_soon_sites
from roofops.integrations.weather.schemas import MAX_FORECAST_DAYS
from roofops.integrations.weather.service import FetchedForecasts, Point, cells_of, weather_service
from roofops.sandbox.demo_company import DemoCompany
from roofops.sandbox.openmeteo.fake import FakeOpenMeteo

SANDBOX_PATH = "/sandbox/openmeteo"


# ----- at demo build time -------------------------------------------------------------------
def link_demo_forecasts(db: Session, data: DemoData) -> None:
    """The sandbox's forecast of every worked-soon site, stored as a refresh stores it (the
    same answer the sandbox serves, read by the same parser), without a server running."""
    cells = cells_of(Point(latitude, longitude) for latitude, longitude in worked_soon_sites(db))
    if not cells:
        return
    zone = company_service.get(db).time_zone
    params = forecast_params(cells, MAX_FORECAST_DAYS, zone)
    answers = parse_locations(FakeOpenMeteo(seed=data.seed).answer(list(params.items())))
    weather_service.store(db, FetchedForecasts(cells, [answer.daily.days() for answer in answers]))


# ----- at serve time ------------------------------------------------------------------------
def prepare_app(
    db: Session,  # noqa: ARG001 (the sandbox Prepare signature)
    settings: Settings,  # noqa: ARG001
    company: DemoCompany,
) -> Callable[[], ASGIApp] | None:
    return lambda: FakeOpenMeteo(seed=company.seed).app()
