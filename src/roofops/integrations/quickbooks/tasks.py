"""QuickBooks background work: requested syncs, the nightly reconciliation, webhook refreshes."""

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
from roofops.integrations.quickbooks.inbox import WEBHOOK_TASK
from roofops.integrations.quickbooks.sync_service import SYNC_TASK, quickbooks_sync
from roofops.logging import get_logger
from roofops.worker.cron import cron
from roofops.worker.registry import task

log = get_logger(__name__)


@task(SYNC_TASK, sessions=True)
def sync(sessions: sessionmaker[Session], *, run_id: str, full: bool = False) -> None:
    run_sync(sessions, get_settings(), quickbooks_sync, run_id=uuid.UUID(run_id), full=full)


@cron("quickbooks.nightly", crontab="0 * * * *")
def nightly(db: Session, tick: datetime) -> None:
    """Hourly check so the hour follows the company's time zone (and its DST changes): at
    QB_NIGHTLY_SYNC_HOUR local time, a full read reconciles whatever webhooks missed."""
    settings = get_settings()
    if not settings.qb_sync_enabled or quickbooks_sync.problem(db, settings):
        return
    zone = ZoneInfo(company_service.get(db).time_zone)
    if tick.astimezone(zone).hour != settings.qb_nightly_sync_hour:
        return
    try:
        request_sync(
            db, settings, quickbooks_sync, full=True, triggered_by="nightly reconciliation"
        )
    except Conflict as refused:
        log.info("quickbooks.nightly.skipped", reason=refused.message)


@task(WEBHOOK_TASK, retries=5, sessions=True)
def refresh_after_webhook(sessions: sessionmaker[Session]) -> None:
    """One incremental sync for the webhook deliveries so far (roofops.integrations.core.inbox)."""
    follow_webhooks(sessions, get_settings(), quickbooks_sync)
