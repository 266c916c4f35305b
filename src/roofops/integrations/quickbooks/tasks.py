"""QuickBooks background work: requested syncs, the nightly reconciliation, webhook refreshes."""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from roofops.company.service import company_service
from roofops.config import get_settings
from roofops.exceptions import Conflict
from roofops.integrations.core.runner import request_sync, run_sync
from roofops.integrations.core.runs import open_run
from roofops.integrations.quickbooks.inbox import WEBHOOK_TASK, mark_processed, pending_events
from roofops.integrations.quickbooks.sync_service import SYNC_TASK, quickbooks_sync
from roofops.logging import get_logger
from roofops.models.enums import SyncKind
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
    """One incremental sync for the deliveries so far. While another sync runs, starting fails
    (409) and the task is retried with backoff, so no delivery is dropped; only the events that
    were pending before this sync read the books are marked done."""
    with sessions() as db:
        pending = pending_events(db)
    if not pending:
        return
    with sessions.begin() as db:
        run = open_run(
            db, quickbooks_sync.provider, SyncKind.INCREMENTAL, triggered_by="QuickBooks webhook"
        )
    run_sync(sessions, get_settings(), quickbooks_sync, run_id=run.id, full=False)
    with sessions.begin() as db:
        mark_processed(db, pending)
