"""The weekly report by e-mail, to a real local SMTP server: queued on Monday morning company
time, the PDF attached, and each recipient mailed each week once however often it runs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session, sessionmaker

from roofops.company.service import company_service
from roofops.config import get_settings
from roofops.kpi.tasks import send_weekly_report, weekly_report
from roofops.kpi.weekly_report import week_of
from roofops.kpi.weekly_report_delivery import SEND_TASK, weekly_report_mail
from roofops.models import ReportDeliveryStatus, Role, User
from tests.factories import make_user
from tests.queued import queued_args
from tests.smtp import SmtpServer, running_smtp_server, send_settings_to

WEEK_START = "2026-11-23"


@pytest.fixture
def mail_to_smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    """Settings pointed at a real local SMTP server."""
    with running_smtp_server() as server:
        send_settings_to(server, monkeypatch, "roofops <reports@summit.example>")
        yield server


@pytest.fixture
def readers(db: Session) -> list[User]:
    """Who gets it by default (an admin, a finance user), and who does not."""
    admin = make_user(db, role=Role.ADMIN)
    finance = make_user(db, role=Role.FINANCE)
    make_user(db, role=Role.OFFICE)
    make_user(db, role=Role.FINANCE).is_active = False
    db.flush()
    return [admin, finance]


def monday_seven(db: Session) -> datetime:
    zone = ZoneInfo(company_service.get(db).time_zone)
    return datetime(2026, 11, 30, 7, 0, tzinfo=zone).astimezone(UTC)


def queued_weeks(db: Session) -> list[dict[str, Any]]:
    return queued_args(db, SEND_TASK)


def test_monday_morning_mails_last_week_once_to_each_admin_and_finance_user(
    db: Session,
    session_maker: sessionmaker[Session],
    readers: list[User],
    mail_to_smtp: SmtpServer,
) -> None:
    seven = monday_seven(db)
    weekly_report(db, seven - timedelta(minutes=15))  # a quarter early: nothing
    weekly_report(db, seven)
    weekly_report(db, seven)  # a second tick of the same morning, or a retried job
    db.flush()

    queued = queued_weeks(db)
    assert queued == [{"week": WEEK_START}, {"week": WEEK_START}]
    for args in queued:  # what the worker does with each
        send_weekly_report(session_maker, **args)

    assert sorted(m["To"] for m in mail_to_smtp.messages) == sorted(u.email for u in readers)
    message = mail_to_smtp.messages[0]
    assert "weekly executive report, week of Nov 23, 2026" in message["Subject"]
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == f"executive-report-{WEEK_START}.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content().startswith(b"%PDF")
    deliveries = weekly_report_mail.deliveries(db, week_of(seven.date()).start - timedelta(7))
    assert {(d.recipient, d.status) for d in deliveries} == {
        (user.email, ReportDeliveryStatus.SENT) for user in readers
    }


def test_a_refused_mail_is_recorded_and_sent_on_the_next_run(
    db: Session,
    session_maker: sessionmaker[Session],
    readers: list[User],
    mail_to_smtp: SmtpServer,
) -> None:
    week = week_of(datetime(2026, 11, 23).date())
    mail_to_smtp.refuse_with = "552 mailbox full"

    refused = weekly_report_mail.send(session_maker, get_settings(), week)
    mail_to_smtp.refuse_with = None
    retried = weekly_report_mail.send(session_maker, get_settings(), week)
    again = weekly_report_mail.send(session_maker, get_settings(), week)

    assert (refused.sent, sorted(refused.failed)) == ([], sorted(u.email for u in readers))
    assert sorted(retried.sent) == sorted(u.email for u in readers)
    assert (again.sent, sorted(again.skipped)) == ([], sorted(u.email for u in readers))
    assert len(mail_to_smtp.messages) == len(readers)


def test_the_recipients_setting_replaces_the_default_and_off_means_off(
    db: Session, readers: list[User], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = get_settings()
    monkeypatch.setattr(settings, "executive_report_recipients", "Owner@Example.com, cfo@x.io")
    assert weekly_report_mail.recipients(db, settings) == ["cfo@x.io", "owner@example.com"]

    monkeypatch.setattr(settings, "executive_report_enabled", False)
    weekly_report(db, monday_seven(db))
    assert queued_weeks(db) == []
