"""API shapes shared by every integration: sync runs and their errors."""

from __future__ import annotations

import uuid
from datetime import datetime

from roofops.kit.schemas import OrmModel
from roofops.models.enums import Provider, SyncKind, SyncRunStatus


class SyncRunOut(OrmModel):
    id: uuid.UUID
    provider: Provider
    kind: SyncKind
    status: SyncRunStatus
    triggered_by: str
    scope: str
    started_at: datetime
    finished_at: datetime | None
    phase: str
    progress_done: int
    progress_total: int | None
    requests: int
    fetched: int
    created: int
    updated: int
    unchanged: int
    failed: int
    warnings: int
    error: str


class SyncRunErrorOut(OrmModel):
    record_type: str
    external_id: str
    message: str
    created_at: datetime


class SyncRunDetail(SyncRunOut):
    errors: list[SyncRunErrorOut]
