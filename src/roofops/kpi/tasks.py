"""KPI background work: the weekly executive report, e-mailed on Monday morning company time."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from roofops.company.service import company_service
from roofops.config import get_settings
from roofops.kpi.weekly_report import last_full_week, week_of
from roofops.kpi.weekly_report_delivery import SEND_TASK, weekly_report_mail
from roofops.worker.cron import cron, fires_within
from roofops.worker.queue import enqueue
from roofops.worker.registry import task

WEEKLY_REPORT_CRON = "kpi.weekly_report"
# How often the schedule is looked at; ROOFOPS_EXECUTIVE_REPORT_CRON fires within one of these.
CHECK_EVERY = timedelta(minutes=15)


@task(SEND_TASK, sessions=True)
def send_weekly_report(sessions: sessionmaker[Session], *, week: str) -> None:
    """Mail the report of the week holding ``week`` (YYYY-MM-DD) to every recipient not yet
    sent it: safe to run twice (see weekly_report_delivery)."""
    weekly_report_mail.send(sessions, get_settings(), week_of(date.fromisoformat(week)))


@cron(WEEKLY_REPORT_CRON, crontab="*/15 * * * *")
def weekly_report(db: Session, tick: datetime) -> None:
    """Every quarter hour, so that ROOFOPS_EXECUTIVE_REPORT_CRON is read in the company's time
    zone (and follows its DST changes); the tick's claim queues the week just ended once."""
    settings = get_settings()
    if not settings.executive_report_enabled:
        return
    zone = ZoneInfo(company_service.get(db).time_zone)
    if fires_within(settings.executive_report_cron, zone, tick, CHECK_EVERY):
        week = last_full_week(tick.astimezone(zone).date())
        enqueue(db, SEND_TASK, week=week.start.isoformat())
