"""Xero background work: requested syncs."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session, sessionmaker

from roofops.config import get_settings
from roofops.integrations.core.runner import run_sync
from roofops.integrations.xero.sync_service import SYNC_TASK, xero_sync
from roofops.worker.registry import task


@task(SYNC_TASK, sessions=True)
def sync(sessions: sessionmaker[Session], *, run_id: str, full: bool = False) -> None:
    run_sync(sessions, get_settings(), xero_sync, run_id=uuid.UUID(run_id), full=full)
