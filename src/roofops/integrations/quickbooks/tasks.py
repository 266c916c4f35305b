"""QuickBooks background work: requested syncs, the nightly reconciliation, webhook refreshes."""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from roofops.company.service import company_service
from roofops.config import get_settings
from roofops.integrations.core.repository import ConnectionRepository
from roofops.integrations.core.runs import open_run
from roofops.integrations.quickbooks.connection import quickbooks_connection
from roofops.integrations.quickbooks.inbox import WEBHOOK_TASK, mark_processed, pending_events
from roofops.integrations.quickbooks.sync_service import PROVIDER, quickbooks_sync_service
from roofops.models.enums import ConnectionStatus, Provider, SyncKind
from roofops.models.integration import SyncRun
from roofops.worker.cron import cron
from roofops.worker.queue import enqueue
from roofops.worker.registry import task

SYNC_TASK = "quickbooks.sync"


def queue_sync(
    db: Session,
    triggered_by: str,
    *,
    full: bool,
    job_id: uuid.UUID | None = None,
    scope: str = "",
) -> SyncRun:
    """The run (so the caller can follow it at once) and its task, both in ``db``'s transaction:
    either both exist once it commits or neither does."""
    kind = SyncKind.TARGETED if job_id else SyncKind.FULL if full else SyncKind.INCREMENTAL
    run = open_run(db, PROVIDER, kind, triggered_by=triggered_by, scope=scope)
    job = str(job_id) if job_id else None
    enqueue(db, SYNC_TASK, run_id=str(run.id), full=full, job_id=job)
    return run


@task(SYNC_TASK)
def sync(db: Session, *, run_id: str, full: bool = False, job_id: str | None = None) -> None:
    # The sync commits on its own: sessions of its own on the task's database.
    sessions = sessionmaker(bind=db.get_bind(), expire_on_commit=False)
    _run(sessions, uuid.UUID(run_id), full=full, job_id=uuid.UUID(job_id) if job_id else None)


def _run(
    sessions: sessionmaker[Session], run_id: uuid.UUID, *, full: bool, job_id: uuid.UUID | None
) -> None:
    settings = get_settings()
    quickbooks_sync_service.sync(
        sessions,
        lambda: quickbooks_connection.client(sessions, settings),
        full=full,
        run_id=run_id,
        job_id=job_id,
    )


@cron("quickbooks.nightly", crontab="0 * * * *")
def nightly(db: Session, tick: datetime) -> None:
    """Hourly check so the hour follows the company's time zone (and its DST changes): at
    QB_NIGHTLY_SYNC_HOUR local time, a full read reconciles whatever webhooks missed."""
    settings = get_settings()
    if not settings.qb_sync_enabled or not _connected(db):
        return
    zone = ZoneInfo(company_service.get(db).time_zone)
    if tick.astimezone(zone).hour == settings.qb_nightly_sync_hour:
        queue_sync(db, "nightly reconciliation", full=True)


def _connected(db: Session) -> bool:
    connection = ConnectionRepository(db).by_provider(Provider.QUICKBOOKS)
    return connection is not None and connection.status == ConnectionStatus.CONNECTED


@task(WEBHOOK_TASK, retries=5)
def refresh_after_webhook(db: Session) -> None:
    """One incremental sync for the deliveries so far. While another sync runs, starting fails
    (409) and the task is retried with backoff, so no delivery is dropped; only the events that
    were pending before this sync read the books are marked done."""
    sessions = sessionmaker(bind=db.get_bind(), expire_on_commit=False)
    with sessions() as own:
        pending = pending_events(own)
    if not pending:
        return
    with sessions.begin() as own:
        run = open_run(own, PROVIDER, SyncKind.INCREMENTAL, triggered_by="QuickBooks webhook")
    _run(sessions, run.id, full=False, job_id=None)
    with sessions.begin() as own:
        mark_processed(own, pending)
