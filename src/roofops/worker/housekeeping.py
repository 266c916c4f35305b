"""Runtime housekeeping: old cron claims and finished background jobs, daily."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from roofops.kit.time import utcnow
from roofops.logging import get_logger
from roofops.worker.cron import cron
from roofops.worker.queue import enqueue
from roofops.worker.registry import task
from roofops.worker.repository import BackgroundJobRepository, CronClaimRepository

log = get_logger(__name__)
KEEP_DAYS = 30


@cron("runtime.prune", crontab="23 3 * * *")
def prune_daily(db: Session, _tick: datetime) -> None:
    enqueue(db, "runtime.prune")


@task("runtime.prune")
def prune(db: Session) -> None:
    cutoff = utcnow() - timedelta(days=KEEP_DAYS)
    counts = {
        "cron_claims": CronClaimRepository(db).delete_before(cutoff),
        "background_jobs": BackgroundJobRepository(db).delete_finished_before(cutoff),
    }
    log.info("runtime.pruned", **counts)
