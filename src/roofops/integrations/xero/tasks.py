"""Xero background work: requested syncs, webhook refreshes, and the nightly full read."""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from roofops.company.service import company_service
from roofops.config import get_settings
from roofops.exceptions import Conflict
from roofops.integrations.core.inbox import follow_webhooks
from roofops.integrations.core.runner import request_sync, run_sync
from roofops.integrations.xero.inbox import WEBHOOK_TASK
from roofops.integrations.xero.sync_service import SYNC_TASK, xero_sync
from roofops.logging import get_logger
from roofops.worker.cron import cron
from roofops.worker.registry import task

log = get_logger(__name__)


@task(SYNC_TASK, sessions=True)
def sync(sessions: sessionmaker[Session], *, run_id: str, full: bool = False) -> None:
    run_sync(sessions, get_settings(), xero_sync, run_id=uuid.UUID(run_id), full=full)


@task(WEBHOOK_TASK, retries=5, sessions=True)
def refresh_after_webhook(sessions: sessionmaker[Session]) -> None:
    """One incremental sync for the webhook deliveries so far (roofops.integrations.core.inbox)."""
    follow_webhooks(sessions, get_settings(), xero_sync)


@cron("xero.nightly", crontab="0 * * * *")
def nightly(db: Session, tick: datetime) -> None:
    """Hourly check so the hour follows the company's time zone: at XERO_NIGHTLY_SYNC_HOUR
    local time a full read reconciles (a document purged from the books, not just deleted,
    shows only as an absence). Nothing happens while Xero is not connected."""
    settings = get_settings()
    if not settings.xero_sync_enabled or xero_sync.problem(db, settings):
        return
    zone = ZoneInfo(company_service.get(db).time_zone)
    if tick.astimezone(zone).hour != settings.xero_nightly_sync_hour:
        return
    try:
        request_sync(db, settings, xero_sync, full=True, triggered_by="nightly reconciliation")
    except Conflict as refused:
        log.info("xero.nightly.skipped", reason=refused.message)
