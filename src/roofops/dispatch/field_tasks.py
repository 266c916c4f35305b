"""Background work of the field side of dispatch: the notifications a publish queued."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session, sessionmaker

from roofops.dispatch.notifications import NOTIFY_TASK, Notice, send_notice
from roofops.worker.registry import task


@task(NOTIFY_TASK, sessions=True)
def notify(
    sessions: sessionmaker[Session], *, plan_id: str, key: str, to: str, subject: str, body: str
) -> None:
    send_notice(sessions, uuid.UUID(plan_id), Notice(key=key, to=to, subject=subject, body=body))
