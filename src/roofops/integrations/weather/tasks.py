"""Weather background work: the forecast refresh and the schedule that requests it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from roofops.config import get_settings
from roofops.integrations.weather.schemas import MAX_FORECAST_DAYS
from roofops.integrations.weather.service import open_meteo_client, weather_service
from roofops.kit.http import VendorError
from roofops.logging import get_logger
from roofops.worker.cron import cron
from roofops.worker.queue import enqueue
from roofops.worker.registry import task

log = get_logger(__name__)

REFRESH_TASK = "weather.refresh"


@cron("weather.schedule", crontab="7 */3 * * *")
def schedule_refresh(db: Session, tick: datetime) -> None:  # noqa: ARG001 (the cron signature)
    """Every three hours: Open-Meteo's models update every few hours, the schedule daily."""
    enqueue(db, REFRESH_TASK)


@task(REFRESH_TASK, sessions=True)
def refresh(sessions: sessionmaker[Session]) -> None:
    """Reads the sites, fetches outside any transaction, then writes in one: a failed fetch
    leaves yesterday's rows in place, and no vendor call holds a database transaction open."""
    settings = get_settings()
    with sessions.begin() as db:
        plan = weather_service.refresh_plan(db, settings)
    if plan is None or not plan.cells:
        return
    with open_meteo_client(settings, plan.base_url) as client:
        try:
            fetched = weather_service.fetch(client, plan.cells, MAX_FORECAST_DAYS, plan.zone)
        except VendorError as failed:
            log.warning("weather.refresh.failed", cells=len(plan.cells), reason=failed.message)
            raise
    with sessions.begin() as db:
        weather_service.store(db, fetched)
