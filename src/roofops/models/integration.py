"""Shared by every integration: connections, external ids, sync runs, cursors, webhook inbox."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from roofops.kit.types import UTCDateTime, json_type, string_enum
from roofops.models.base import Base, Timestamps, UUIDPrimaryKey
from roofops.models.enums import ConnectionStatus, Provider, SyncKind, SyncRunStatus

# A failed connection still holds the company's books: it needs a reconnect, not a rival (the
# accounting port refuses a second system; the financial reports read this system's documents).
HOLDS_THE_BOOKS = frozenset({ConnectionStatus.CONNECTED, ConnectionStatus.FAILED})


class IntegrationConnection(UUIDPrimaryKey, Timestamps, Base):
    """One account at one vendor. Credentials are a JSON document encrypted with SecretBox."""

    __tablename__ = "integration_connections"
    __table_args__ = (sa.UniqueConstraint("provider"),)

    provider: Mapped[Provider] = mapped_column(string_enum(Provider))
    status: Mapped[ConnectionStatus] = mapped_column(
        string_enum(ConnectionStatus), default=ConnectionStatus.NOT_CONFIGURED
    )
    # The vendor's id of the account (QuickBooks realmId, Xero tenant id); empty for JobNimbus.
    account_id: Mapped[str] = mapped_column(sa.String(64), default="")
    account_name: Mapped[str] = mapped_column(sa.String(200), default="")
    credentials_encrypted: Mapped[str] = mapped_column(sa.Text, default="")
    # Where the credentials came from: "ui", "env" or "demo" (the built-in fake vendor).
    credentials_origin: Mapped[str] = mapped_column(sa.String(16), default="")
    access_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    refresh_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    options: Mapped[dict[str, Any]] = mapped_column(json_type(), default=dict)
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ExternalRef(UUIDPrimaryKey, Timestamps, Base):
    """Links a local row to its record at a vendor: every sync upserts through it (idempotency)."""

    __tablename__ = "external_refs"
    __table_args__ = (
        sa.UniqueConstraint("source", "local_type", "external_id"),
        sa.Index("ix_external_refs_local", "local_type", "local_id"),
    )

    source: Mapped[Provider] = mapped_column(string_enum(Provider))
    local_type: Mapped[str] = mapped_column(sa.String(40))
    external_id: Mapped[str] = mapped_column(sa.String(64))
    local_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid)
    external_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Digest of the fields we read: an unchanged record costs no write.
    fingerprint: Mapped[str] = mapped_column(sa.String(64), default="")
    is_deleted: Mapped[bool] = mapped_column(sa.Boolean, default=False)


class SyncCursor(Base):
    """How far an incremental sync of one stream has read (the vendor's updated-at clock)."""

    __tablename__ = "sync_cursors"

    provider: Mapped[Provider] = mapped_column(string_enum(Provider), primary_key=True)
    stream: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    position: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SyncRun(UUIDPrimaryKey, Base):
    """One sync, kept as history: counts, requests, progress and the first errors."""

    __tablename__ = "sync_runs"
    __table_args__ = (sa.Index("ix_sync_runs_provider_started_at", "provider", "started_at"),)

    provider: Mapped[Provider] = mapped_column(string_enum(Provider))
    kind: Mapped[SyncKind] = mapped_column(string_enum(SyncKind))
    status: Mapped[SyncRunStatus] = mapped_column(
        string_enum(SyncRunStatus), default=SyncRunStatus.RUNNING
    )
    triggered_by: Mapped[str] = mapped_column(sa.String(200), default="")
    scope: Mapped[str] = mapped_column(sa.String(200), default="", doc="e.g. one job's number")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Bumped with every progress step: a RUNNING run that stopped moving was killed.
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime)
    phase: Mapped[str] = mapped_column(sa.String(60), default="")
    progress_done: Mapped[int] = mapped_column(sa.Integer, default=0)
    progress_total: Mapped[int | None] = mapped_column(sa.Integer)
    requests: Mapped[int] = mapped_column(sa.Integer, default=0)
    fetched: Mapped[int] = mapped_column(sa.Integer, default=0)
    created: Mapped[int] = mapped_column(sa.Integer, default=0)
    updated: Mapped[int] = mapped_column(sa.Integer, default=0)
    unchanged: Mapped[int] = mapped_column(sa.Integer, default=0)
    failed: Mapped[int] = mapped_column(sa.Integer, default=0)
    # Findings about the vendor's data that cost nothing here (a bill line on no job): listed
    # with the run's errors, counted apart, and they leave the run succeeded.
    warnings: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    error: Mapped[str] = mapped_column(sa.Text, default="")

    errors: Mapped[list[SyncRunError]] = relationship(
        back_populates="run", lazy="raise", order_by="SyncRunError.created_at"
    )


class SyncRunError(UUIDPrimaryKey, Base):
    """A record a sync could not take, with what was wrong: the rest of the run goes on."""

    __tablename__ = "sync_run_errors"

    run_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("sync_runs.id", ondelete="CASCADE"), index=True
    )
    record_type: Mapped[str] = mapped_column(sa.String(40))
    external_id: Mapped[str] = mapped_column(sa.String(64), default="")
    message: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    run: Mapped[SyncRun] = relationship(back_populates="errors", lazy="raise")


class InboxEvent(UUIDPrimaryKey, Base):
    """A verified webhook delivery, stored before it is handled: a redelivery is a no-op."""

    __tablename__ = "inbox_events"
    __table_args__ = (sa.UniqueConstraint("source", "event_id"),)

    source: Mapped[Provider] = mapped_column(string_enum(Provider))
    event_id: Mapped[str] = mapped_column(sa.String(200))
    payload: Mapped[dict[str, Any]] = mapped_column(json_type())
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str] = mapped_column(sa.Text, default="")
