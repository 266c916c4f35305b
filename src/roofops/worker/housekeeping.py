"""Housekeeping crons: expired sessions hourly, old runtime rows daily."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from roofops.auth.repository import UserSessionRepository
from roofops.kit.time import utcnow
from roofops.logging import get_logger
from roofops.worker.cron import cron
from roofops.worker.queue import enqueue
from roofops.worker.registry import task
from roofops.worker.repository import (
    BackgroundJobRepository,
    CronClaimRepository,
    LoginAttemptHousekeepingRepository,
)

log = get_logger(__name__)
KEEP_DAYS = 30


@cron("auth.purge_sessions", crontab="17 * * * *")
def purge_sessions_hourly(db: Session, _tick: datetime) -> None:
    enqueue(db, "auth.purge_sessions")


@task("auth.purge_sessions")
def purge_sessions(db: Session) -> None:
    removed = UserSessionRepository(db).delete_expired(utcnow())
    log.info("auth.sessions.purged", count=removed)


@cron("runtime.prune", crontab="23 3 * * *")
def prune_daily(db: Session, _tick: datetime) -> None:
    enqueue(db, "runtime.prune")


@task("runtime.prune")
def prune(db: Session) -> None:
    cutoff = utcnow() - timedelta(days=KEEP_DAYS)
    counts = {
        "cron_claims": CronClaimRepository(db).delete_before(cutoff),
        "background_jobs": BackgroundJobRepository(db).delete_finished_before(cutoff),
        "login_attempts": LoginAttemptHousekeepingRepository(db).delete_before(cutoff),
    }
    log.info("runtime.pruned", **counts)
