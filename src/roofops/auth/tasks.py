"""Sign-in housekeeping: expired sessions hourly, old sign-in attempts daily."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from roofops.auth.service import auth_service
from roofops.kit.time import utcnow
from roofops.logging import get_logger
from roofops.worker.cron import cron
from roofops.worker.queue import enqueue
from roofops.worker.registry import task

log = get_logger(__name__)
PURGE_TASK = "auth.purge_sessions"
PRUNE_TASK = "auth.prune_login_attempts"
# Far beyond every sign-in limit's window: older attempts are only history.
KEEP_ATTEMPTS = timedelta(days=30)


@cron("auth.purge_sessions", crontab="17 * * * *")
def purge_sessions_hourly(db: Session, _tick: datetime) -> None:
    enqueue(db, PURGE_TASK)


@task(PURGE_TASK)
def purge_sessions(db: Session) -> None:
    log.info("auth.sessions.purged", count=auth_service.purge_expired_sessions(db))


@cron("auth.prune_login_attempts", crontab="29 3 * * *")
def prune_login_attempts_daily(db: Session, _tick: datetime) -> None:
    enqueue(db, PRUNE_TASK)


@task(PRUNE_TASK)
def prune_login_attempts(db: Session) -> None:
    removed = auth_service.prune_login_attempts(db, utcnow() - KEEP_ATTEMPTS)
    log.info("auth.login_attempts.pruned", count=removed)
