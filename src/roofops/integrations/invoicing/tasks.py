"""Invoice pushes run in the background: the page that asked is answered at once (202)."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session, sessionmaker

from roofops.config import get_settings
from roofops.integrations.invoicing.push import PUSH_TASK, invoice_push
from roofops.worker.registry import task


@task(PUSH_TASK, sessions=True)
def push(sessions: sessionmaker[Session], *, invoice_id: str) -> None:
    """One invoice into the books; its push state records the outcome, so the task itself
    never fails (a failed push is retried by asking again, which finds what was created)."""
    invoice_push.push(sessions, get_settings(), uuid.UUID(invoice_id))
