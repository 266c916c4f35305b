"""What the rest of roofops asks of the runtime: worker liveness."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from roofops.worker.repository import HeartbeatRepository


def latest_heartbeat(db: Session) -> datetime | None:
    """When any worker (or embedded executor) last reported alive; None if none ever did."""
    return HeartbeatRepository(db).latest()
