"""JobNimbus background work: the sync task and the schedule that requests it."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from roofops.config import get_settings
from roofops.exceptions import Conflict
from roofops.integrations.core.runner import request_sync, run_sync
from roofops.integrations.jobnimbus.service import SYNC_TASK, jobnimbus_service, jobnimbus_sync
from roofops.logging import get_logger
from roofops.worker.cron import cron
from roofops.worker.registry import task

log = get_logger(__name__)


@cron("jobnimbus.schedule", every_seconds=60)
def schedule_sync(db: Session, tick: datetime) -> None:
    """Checks every minute, so ROOFOPS_JOBNIMBUS_SYNC_MINUTES applies without a restart."""
    if not jobnimbus_service.due(db, get_settings(), tick):
        return
    try:
        request_sync(db, get_settings(), jobnimbus_sync, full=False, triggered_by="schedule")
    except Conflict as refused:
        log.info("jobnimbus.schedule.skipped", reason=refused.message)


@task(SYNC_TASK, sessions=True)
def sync(sessions: sessionmaker[Session], *, run_id: str, full: bool = False) -> None:
    """The sync commits page by page, so the runner gives it sessions rather than one."""
    run_sync(sessions, get_settings(), jobnimbus_sync, run_id=uuid.UUID(run_id), full=full)
