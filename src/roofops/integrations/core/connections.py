"""What every integration's connection shows, whatever the vendor (never a secret)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from roofops.models.enums import ConnectionStatus


@dataclass(frozen=True)
class ConnectionView:
    """The shared part; each vendor's view adds what is particular to it."""

    status: ConnectionStatus
    origin: str  # who supplied the credentials: "ui", "env", "demo", ... or "" (nobody yet)
    last_error: str
    last_success_at: datetime | None
