"""Stored forecasts reach the scheduling problem as forbidden days, per material."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from roofops.dispatch.inputs import load_schedule_inputs, task_key
from roofops.engines.scheduling.model import ScheduleWeights
from roofops.integrations.weather.outlook import ForecastOutlook
from roofops.integrations.weather.repository import ForecastRepository
from roofops.kit.time import utcnow
from roofops.models.dispatch import Phase
from tests.dispatch.conftest import MONDAY, Shop
from tests.dispatch.conftest import shop as shop  # noqa: PLC0414 (the fixture, shared)

WEDNESDAY, THURSDAY = MONDAY + timedelta(days=2), MONDAY + timedelta(days=3)


def forecast(on: date, **changes: Any) -> dict[str, Any]:
    mild = {
        "precipitation_mm": 0.0,
        "precipitation_probability": 5,
        "wind_max_mph": 8.0,
        "gust_max_mph": 15.0,
        "temp_min_f": 45.0,
        "temp_max_f": 62.0,
    }
    return {
        "latitude": 39.74,  # the factories' properties: Denver
        "longitude": -104.99,
        "on": on,
        **mild,
        **changes,
        "source": "open-meteo",
        "fetched_at": utcnow(),
    }


def test_rain_stops_every_roof_and_a_cold_morning_only_the_shingles(
    db: Session, shop: Shop
) -> None:
    week = [MONDAY + timedelta(days=n) for n in range(5)]
    rows = [forecast(day) for day in week if day not in (WEDNESDAY, THURSDAY)]
    rows += [forecast(WEDNESDAY, precipitation_probability=85), forecast(THURSDAY, temp_min_f=28)]
    ForecastRepository(db).upsert(rows)

    inputs = load_schedule_inputs(
        db, MONDAY, 14, weather=ForecastOutlook(), weights=ScheduleWeights(), published=None
    )
    forbidden = {task.id: task.forbidden_days for task in inputs.problem.tasks}
    shingles, _, metal, _ = shop.jobs
    assert forbidden[task_key(shingles, Phase.INSTALL)] == {
        2: "rain 85 %",
        3: "28 F low: below the 40 F shingle limit",
    }
    assert forbidden[task_key(metal, Phase.INSTALL)] == {2: "rain 85 %"}
