"""The demo's weather and routing sandboxes: forecasts at build time, fakes mounted to serve."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.testclient import TestClient

from roofops.config import Settings
from roofops.kit.time import utcnow
from roofops.models.dispatch import WeatherForecast
from roofops.sandbox.demo import build_demo
from roofops.sandbox.mount import mount_sandboxes

AS_OF = date(2026, 6, 30)


def test_a_demo_starts_with_the_sandboxs_forecast_and_serves_both_fakes(
    db: Session, session_maker: sessionmaker[Session], settings: Settings
) -> None:
    build_demo(db, size=0.03, seed=5, as_of=AS_OF)
    db.commit()
    rows = list(db.scalars(sa.select(WeatherForecast)))
    cells = {(row.latitude, row.longitude) for row in rows}
    assert cells
    assert len(rows) == 16 * len(cells)
    assert min(row.on for row in rows) >= utcnow().date() - timedelta(days=1)

    app = Starlette()
    mount_sandboxes(app, session_maker, settings)
    with TestClient(app) as client:
        latitude, longitude = sorted(cells)[0]
        forecast = client.get(
            "/sandbox/openmeteo/v1/forecast",
            params={
                "latitude": latitude,
                "longitude": longitude,
                "daily": "temperature_2m_min",
                "temperature_unit": "fahrenheit",
                "timezone": "America/Denver",
            },
        )
        table = client.get("/sandbox/osrm/table/v1/driving/-104.99,39.74;-105.27,40.02")
    assert forecast.status_code == 200
    daily = forecast.json()["daily"]
    served = dict(
        zip(map(date.fromisoformat, daily["time"]), daily["temperature_2m_min"], strict=True)
    )
    first_cell = [row for row in rows if (row.latitude, row.longitude) == (latitude, longitude)]
    # The build stored what the served sandbox answers: the same seeded weather.
    assert any(row.on in served for row in first_cell)
    assert all(served[row.on] == row.temp_min_f for row in first_cell if row.on in served)
    assert table.json()["code"] == "Ok"
