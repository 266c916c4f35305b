"""JobNimbus background work: the sync task and the schedule that enqueues it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from roofops.config import get_settings
from roofops.integrations.jobnimbus.service import SYNC_TASK, jobnimbus_service
from roofops.worker.cron import cron
from roofops.worker.queue import enqueue
from roofops.worker.registry import task


@cron("jobnimbus.schedule", every_seconds=60)
def schedule_sync(db: Session, tick: datetime) -> None:
    """Checks every minute, so ROOFOPS_JOBNIMBUS_SYNC_MINUTES applies without a restart."""
    if jobnimbus_service.due(db, get_settings(), tick):
        enqueue(db, SYNC_TASK, full=False, triggered_by="schedule")


@task(SYNC_TASK)
def sync(db: Session, *, full: bool = False, triggered_by: str = "") -> None:
    # The sync commits page by page: it gets sessions of its own on the task's database.
    sessions = sessionmaker(bind=db.get_bind(), expire_on_commit=False)
    jobnimbus_service.sync(sessions, get_settings(), full=full, triggered_by=triggered_by)
