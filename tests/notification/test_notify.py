"""notify(): a row per active person, a live bell event, an e-mail after commit (once), and
each person reading and marking only their own."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from roofops.auth.principal import Principal
from roofops.auth.service import principal_for
from roofops.config import get_settings
from roofops.models import ActorType, MailStatus, Notification, Role, User
from roofops.notification.service import MAIL_TASK, notification_service
from tests.factories import make_job, make_user
from tests.queued import queued_args
from tests.smtp import SmtpServer, running_smtp_server, send_settings_to


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    """Settings pointed at a real local SMTP server."""
    with running_smtp_server() as server:
        send_settings_to(server, monkeypatch, "Summit <roofops@summit.example>")
        yield server


def queued(db: Session) -> list[dict[str, Any]]:
    return queued_args(db, MAIL_TASK)


def me(user: User) -> Principal:
    return principal_for(user, actor_type=ActorType.USER)


def test_notify_writes_a_row_per_active_person_and_mails_each_once(
    db: Session, session_maker: sessionmaker[Session], smtp: SmtpServer
) -> None:
    olivia = make_user(db, email="olivia@summit.example")
    gone = make_user(db, email="gone@summit.example")
    gone.is_active = False
    job = make_job(db, number="R-9")

    notification_service.notify(
        db,
        [olivia.id, olivia.id, gone.id, uuid.uuid4()],
        title="Dan mentioned you on job R-9",
        body="@olivia the tarp is up",
        link=f"/jobs/{job.id}",
        job_id=job.id,
    )
    db.commit()

    [row] = db.scalars(sa.select(Notification)).all()
    assert (row.user_id, row.mail_status, row.read_at) == (olivia.id, MailStatus.QUEUED, None)
    jobs = queued(db)
    assert jobs == [{"notification_id": str(row.id)}]
    for args in jobs + jobs:  # delivered twice, as a retried worker might
        notification_service.send_mail(session_maker, uuid.UUID(args["notification_id"]))

    [mail] = smtp.messages
    assert mail["To"] == "olivia@summit.example"
    assert "Dan mentioned you on job R-9" in mail["Subject"]
    text = mail.get_content()
    assert "@olivia the tarp is up" in text
    assert f"{get_settings().base_url}/jobs/{job.id}" in text
    db.refresh(row)
    assert row.mail_status == MailStatus.SENT


def test_a_refused_mail_leaves_the_notification_with_the_reason(
    db: Session, session_maker: sessionmaker[Session], smtp: SmtpServer
) -> None:
    smtp.refuse_with = "550 mailbox unavailable"
    olivia = make_user(db)
    notification_service.notify(db, [olivia.id], title="t", body="b", link="")
    db.commit()
    [row] = db.scalars(sa.select(Notification)).all()

    assert notification_service.send_mail(session_maker, row.id) is False

    db.refresh(row)
    assert row.mail_status == MailStatus.FAILED
    assert "550 mailbox unavailable" in row.mail_error
    assert notification_service.unread_count(db, me(olivia)) == 1  # the bell still tells


def test_each_person_reads_and_marks_only_their_own(db: Session) -> None:
    olivia, dan = make_user(db), make_user(db, role=Role.CREW_LEAD)
    for n in range(3):
        notification_service.notify(db, [olivia.id, dan.id], title=f"n{n}", body="", link="")
    dans = db.scalars(sa.select(Notification.id).where(Notification.user_id == dan.id)).all()
    [first, *_] = notification_service.inbox(db, me(olivia)).notifications

    assert notification_service.mark_read(db, me(olivia), [first.id, *dans]) == 1
    assert notification_service.unread_count(db, me(olivia)) == 2
    assert notification_service.unread_count(db, me(dan)) == 3
    assert notification_service.open(db, me(olivia), dans[0]) is None
    assert notification_service.mark_read(db, me(olivia)) == 2
    inbox = notification_service.inbox(db, me(olivia))
    assert (inbox.unread, len(inbox.notifications)) == (0, 3)
    assert {row.title for row in inbox.notifications} == {"n0", "n1", "n2"}
