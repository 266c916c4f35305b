"""Invoice background work: sending one by e-mail, and the daily overdue sweep with reminders."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from roofops.company.service import company_service
from roofops.config import get_settings
from roofops.invoice.delivery import REMIND_TASK, SEND_TASK, invoice_delivery
from roofops.worker.cron import cron, fires_within
from roofops.worker.queue import enqueue
from roofops.worker.registry import task

# How often the schedule is looked at; ROOFOPS_INVOICE_REMINDER_CRON fires within one of these.
CHECK_EVERY = timedelta(minutes=15)


@task(SEND_TASK, sessions=True)
def send(sessions: sessionmaker[Session], *, invoice_id: str, to: str, note: str = "") -> None:
    invoice_delivery.send(sessions, uuid.UUID(invoice_id), to, note)


@task(REMIND_TASK, sessions=True)
def remind(sessions: sessionmaker[Session]) -> None:
    invoice_delivery.sweep(sessions, get_settings())


@cron("invoice.reminders", crontab="*/15 * * * *")
def reminders(db: Session, tick: datetime) -> None:
    """Every quarter hour, so that ROOFOPS_INVOICE_REMINDER_CRON is read in the company's time
    zone (and follows its DST changes); the tick's claim queues the sweep once. The sweep
    itself is safe to run twice: each reminder step is recorded before it is sent."""
    zone = ZoneInfo(company_service.get(db).time_zone)
    if fires_within(get_settings().invoice_reminder_cron, zone, tick, CHECK_EVERY):
        enqueue(db, REMIND_TASK)
