"""Telling people: an in-app notification per person (the header bell, /notifications) and an
e-mail sent after the transaction commits.

:func:`NotificationService.notify` writes the rows and queues one ``notification.mail`` job per
row in the caller's transaction (the worker outbox), and publishes ``notification.created`` so
the bell of each person told updates live: a change that rolls back tells nobody. The job
marks the row sent and commits *before* handing the mail to the server (as dispatch notices
do): a job run twice sends once, and a process that dies in between loses that e-mail rather
than sending it twice. The in-app row stays either way.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from roofops.auth.permissions import Permission
from roofops.auth.principal import Principal
from roofops.company.mailer import MailerFactory, company_mailer, company_name, mailer_or_reason
from roofops.config import get_settings
from roofops.events.bus import publish
from roofops.exceptions import ValidationFailed
from roofops.kit.time import utcnow
from roofops.logging import get_logger
from roofops.mail import Mail, MailFailed
from roofops.models.notification import MailStatus, Notification
from roofops.notification.repository import NotificationRepository
from roofops.worker.queue import enqueue
from roofops.worker.registry import task

log = get_logger(__name__)
NOTIFICATION_TOPIC = "notification.created"
MAIL_TASK = "notification.mail"
LIST_LIMIT = 50
MAX_LIST_LIMIT = 200
TITLE_LIMIT = 200


@dataclass(frozen=True)
class Inbox:
    """One person's notifications, newest first, and how many are unread in all."""

    notifications: list[Notification]
    unread: int


class NotificationService:
    def notify(
        self,
        db: Session,
        user_ids: Iterable[uuid.UUID],
        *,
        title: str,
        body: str,
        link: str,
        job_id: uuid.UUID | None = None,
        mail: bool = True,
        at: datetime | None = None,
    ) -> None:
        """Tell each active user among ``user_ids`` (once each): a row, a live bell event and
        an e-mail, all only if ``db`` commits. Deactivated or unknown ids are skipped.
        ``mail=False`` and ``at``: history written after the fact (the demo's), not news."""
        repository = NotificationRepository(db)
        for user in repository.active_users(user_ids):
            row = repository.add(
                Notification(
                    user_id=user.id,
                    title=title[:TITLE_LIMIT],
                    body=body,
                    link=link,
                    job_id=job_id,
                    created_at=at or utcnow(),
                    mail_status=MailStatus.QUEUED if mail else MailStatus.SKIPPED,
                )
            )
            if mail:
                enqueue(db, MAIL_TASK, notification_id=str(row.id))
            publish(
                db,
                NOTIFICATION_TOPIC,
                {"user_id": str(user.id)},
                seen_with=Permission.USE_ACCOUNT,
            )

    def inbox(
        self,
        db: Session,
        principal: Principal,
        limit: int = LIST_LIMIT,
        *,
        unread_only: bool = False,
    ) -> Inbox:
        """The signed-in person's own notifications (nobody reads anyone else's)."""
        user_id = _own(principal)
        if not 1 <= limit <= MAX_LIST_LIMIT:
            raise ValidationFailed(f"limit must be between 1 and {MAX_LIST_LIMIT}")
        repository = NotificationRepository(db)
        rows = repository.for_user(user_id, limit, unread_only=unread_only)
        return Inbox(rows, repository.unread_count(user_id))

    def unread_count(self, db: Session, principal: Principal) -> int:
        if principal.user_id is None:
            return 0
        return NotificationRepository(db).unread_count(principal.user_id)

    def mark_read(
        self, db: Session, principal: Principal, ids: Iterable[uuid.UUID] | None = None
    ) -> int:
        """Mark the person's own notifications read: those of ``ids`` (others' ids are ignored),
        or all when ``ids`` is None. How many changed."""
        return NotificationRepository(db).mark_read(_own(principal), ids, utcnow())

    def open(
        self, db: Session, principal: Principal, notification_id: uuid.UUID
    ) -> Notification | None:
        """The person's own notification, now read; None when it is not theirs or not there."""
        row = NotificationRepository(db).own(_own(principal), notification_id)
        if row is not None and row.read_at is None:
            row.read_at = utcnow()
            db.flush()
        return row

    def send_mail(
        self,
        sessions: sessionmaker[Session],
        notification_id: uuid.UUID,
        mailer: MailerFactory = company_mailer,
    ) -> bool:
        """The background half: mark sent, commit, then send (see the module docstring)."""
        with sessions.begin() as db:
            repository = NotificationRepository(db)
            row = repository.locked(notification_id)
            if row is None or row.mail_status != MailStatus.QUEUED:
                return False
            outbound = mailer_or_reason(db, mailer)
            mail = _mail(repository, row)
            _settle(row, outbound if isinstance(outbound, str) else "")
        if isinstance(outbound, str):
            return False
        try:
            outbound.send(mail)
        except MailFailed as failed:
            with sessions.begin() as db:
                row = NotificationRepository(db).locked(notification_id)
                if row is not None:
                    _settle(row, failed.message)
            return False
        return True


def _own(principal: Principal) -> uuid.UUID:
    if principal.user_id is None:
        raise ValidationFailed("notifications belong to a signed-in user")
    return principal.user_id


def _mail(repository: NotificationRepository, row: Notification) -> Mail:
    settings = get_settings()
    link = f"{settings.base_url.rstrip('/')}{row.link}" if row.link else ""
    lines = [row.body, "", f"Open it in roofops: {link}" if link else ""]
    return Mail(
        to=repository.recipient_email(row.user_id),
        subject=f"{company_name(repository.session)}: {row.title}",
        body="\n".join(lines).strip() + "\n",
    )


def _settle(row: Notification, error: str) -> None:
    row.mail_status = MailStatus.FAILED if error else MailStatus.SENT
    row.mail_error = error
    if error:
        log.warning("notification.mail.failed", notification=str(row.id), reason=error)


notification_service = NotificationService()


# Registered here, beside notify(), rather than only in tasks.py: every caller of notify()
# (notes, handoffs, field reports; their tests too) queues this task, so importing the service
# must be enough to have it registered.
@task(MAIL_TASK, sessions=True)
def send_mail_task(sessions: sessionmaker[Session], *, notification_id: str) -> None:
    notification_service.send_mail(sessions, uuid.UUID(notification_id))
