"""Background work of notifications: the e-mail each notification queued."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session, sessionmaker

from roofops.notification.service import MAIL_TASK, notification_service
from roofops.worker.registry import task


@task(MAIL_TASK, sessions=True)
def mail(sessions: sessionmaker[Session], *, notification_id: str) -> None:
    notification_service.send_mail(sessions, uuid.UUID(notification_id))
