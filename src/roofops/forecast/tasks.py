"""Forecast background work: the nightly run (cron) and a queued run (nightly or manual).

The run's inputs are read and the models fitted with only a read transaction open (a writing
transaction held through minutes of fitting would lock every other SQLite writer out); the
results are stored in one short transaction, with the run's "succeeded", or the failure alone.
"""

from __future__ import annotations

import time
import uuid
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from roofops.company.service import company_service
from roofops.db import unit_of_work
from roofops.exceptions import Conflict
from roofops.forecast.service import RUN_TASK, forecast_service
from roofops.logging import get_logger
from roofops.models.forecast import ForecastRunStatus, ForecastTrigger
from roofops.worker.cron import cron
from roofops.worker.registry import task

log = get_logger(__name__)
NIGHTLY_CRON = "forecast.nightly"


@cron(NIGHTLY_CRON, crontab="41 2 * * *")
def nightly(db: Session, _tick: datetime) -> None:
    """Queue tonight's run as of the company's today; skipped while another run is going."""
    try:
        forecast_service.start_run(db, company_service.today(db), trigger=ForecastTrigger.NIGHTLY)
    except Conflict as refusal:
        log.warning("forecast.nightly.skipped", reason=refusal.message)


@task(RUN_TASK, sessions=True)
def run(sessions: sessionmaker[Session], *, run_id: str, seed: int = 0) -> None:
    began = time.monotonic()
    key = uuid.UUID(run_id)
    try:
        with unit_of_work(sessions, read_only=True) as db:
            queued = forecast_service.get_run(db, key)
            if queued.status != ForecastRunStatus.RUNNING:
                # A second delivery of the job, or a run given up as stale: leave it as it is.
                log.warning("forecast.run.skipped", run_id=run_id, status=str(queued.status))
                return
            outputs = forecast_service.compute(db, queued, seed=seed)
        with unit_of_work(sessions) as db:
            stored = forecast_service.get_run(db, key)
            forecast_service.store(db, stored, outputs)
            forecast_service.finish(stored, time.monotonic() - began)
    except Exception as error:
        log.exception("forecast.run.failed", run_id=run_id)
        with unit_of_work(sessions) as db:
            failed = forecast_service.get_run(db, key)
            forecast_service.fail(failed, error)
            forecast_service.finish(failed, time.monotonic() - began)
        raise
