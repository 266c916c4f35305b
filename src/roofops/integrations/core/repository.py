"""Queries over the shared integration tables."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa

from roofops.kit.repository import Repository, found, in_chunks
from roofops.models.enums import Provider, SyncRunStatus
from roofops.models.integration import (
    ExternalRef,
    InboxEvent,
    IntegrationConnection,
    SyncCursor,
    SyncRun,
    SyncRunError,
)


class ConnectionRepository(Repository[IntegrationConnection]):
    model = IntegrationConnection

    def by_provider(self, provider: Provider) -> IntegrationConnection | None:
        return self.session.scalar(
            sa.select(IntegrationConnection).where(IntegrationConnection.provider == provider)
        )

    def option(self, provider: Provider, name: str, default: str) -> str:
        """One of a connection's options (set in Settings), or ``default``."""
        connection = self.by_provider(provider)
        options = connection.options if connection else {}
        return str(options.get(name) or default)

    def set_option(self, provider: Provider, name: str, value: str) -> None:
        """Store one option on the provider's row (when there is one)."""
        connection = self.by_provider(provider)
        if connection is not None and connection.options.get(name) != value:
            # A new dict: the JSON column notices reassignment, not an in-place change.
            connection.options = {**connection.options, name: value}

    def of_providers(self, providers: Iterable[Provider]) -> list[IntegrationConnection]:
        """The rows of these providers, in one statement."""
        return list(
            self.session.scalars(
                sa.select(IntegrationConnection).where(
                    IntegrationConnection.provider.in_(list(providers))
                )
            )
        )

    def lock(self, provider: Provider) -> IntegrationConnection | None:
        """The row under ``SELECT ... FOR UPDATE`` (PostgreSQL; SQLite serialises writers)."""
        return self.session.scalar(
            sa.select(IntegrationConnection)
            .where(IntegrationConnection.provider == provider)
            .with_for_update()
        )

    def lock_or_add(self, provider: Provider) -> IntegrationConnection:
        """The row under ``SELECT ... FOR UPDATE``, created on first use."""
        connection = self.lock(provider)
        if connection is not None:
            return connection
        try:
            with self.session.begin_nested():
                return self.add(IntegrationConnection(provider=provider))
        except sa.exc.IntegrityError:
            # Another worker inserted it between our SELECT and INSERT; it has committed by now.
            return found(self.lock(provider), f"{provider.label} connection")


class ExternalRefRepository(Repository[ExternalRef]):
    model = ExternalRef

    def lookup(
        self, source: Provider, local_type: str, external_ids: Iterable[str]
    ) -> dict[str, ExternalRef]:
        """``external_id -> ref`` for those of ``external_ids`` already linked."""
        found: dict[str, ExternalRef] = {}
        for chunk in in_chunks(external_ids):
            statement = sa.select(ExternalRef).where(
                ExternalRef.source == source,
                ExternalRef.local_type == local_type,
                ExternalRef.external_id.in_(chunk),
            )
            found.update((ref.external_id, ref) for ref in self.session.scalars(statement))
        return found

    def local_ids(self, source: Provider, local_type: str) -> dict[str, uuid.UUID]:
        """Every link of one type: for a full resync, which is one query instead of thousands."""
        rows = self.session.execute(
            sa.select(ExternalRef.external_id, ExternalRef.local_id).where(
                ExternalRef.source == source, ExternalRef.local_type == local_type
            )
        )
        return {row.external_id: row.local_id for row in rows}

    def for_local(
        self, source: Provider, local_type: str, local_id: uuid.UUID
    ) -> ExternalRef | None:
        return self.session.scalar(
            sa.select(ExternalRef).where(
                ExternalRef.source == source,
                ExternalRef.local_type == local_type,
                ExternalRef.local_id == local_id,
            )
        )


class SyncCursorRepository:
    def __init__(self, session: sa.orm.Session) -> None:
        self.session = session

    def get(self, provider: Provider, stream: str) -> SyncCursor | None:
        return self.session.get(SyncCursor, (provider, stream))

    def position(self, provider: Provider, stream: str) -> datetime | None:
        cursor = self.session.get(SyncCursor, (provider, stream))
        return cursor.position if cursor else None

    def move(self, provider: Provider, stream: str, position: datetime, now: datetime) -> None:
        cursor = self.session.get(SyncCursor, (provider, stream))
        if cursor is None:
            cursor = SyncCursor(provider=provider, stream=stream, position=position, updated_at=now)
            self.session.add(cursor)
        cursor.position, cursor.updated_at = position, now
        self.session.flush()

    def clear(self, provider: Provider) -> None:
        self.session.execute(sa.delete(SyncCursor).where(SyncCursor.provider == provider))


class SyncRunRepository(Repository[SyncRun]):
    model = SyncRun

    def recent(self, provider: Provider | None, limit: int) -> list[SyncRun]:
        statement = sa.select(SyncRun).order_by(SyncRun.started_at.desc()).limit(limit)
        if provider is not None:
            statement = statement.where(SyncRun.provider == provider)
        return list(self.session.scalars(statement))

    def running(self, provider: Provider) -> list[SyncRun]:
        return list(
            self.session.scalars(
                sa.select(SyncRun)
                .where(SyncRun.provider == provider, SyncRun.status == SyncRunStatus.RUNNING)
                .with_for_update()
            )
        )

    def errors(self, run_id: uuid.UUID, limit: int) -> list[SyncRunError]:
        return list(
            self.session.scalars(
                sa.select(SyncRunError)
                .where(SyncRunError.run_id == run_id)
                .order_by(SyncRunError.created_at)
                .limit(limit)
            )
        )


class InboxRepository:
    """Verified webhook deliveries; the unique (source, event_id) makes redelivery a no-op."""

    def __init__(self, session: sa.orm.Session) -> None:
        self.session = session

    def known(self, source: Provider, event_ids: Iterable[str]) -> set[str]:
        found: set[str] = set()
        for chunk in in_chunks(event_ids):
            found.update(
                self.session.scalars(
                    sa.select(InboxEvent.event_id).where(
                        InboxEvent.source == source,
                        InboxEvent.event_id.in_(chunk),
                    )
                )
            )
        return found

    def add(self, event: InboxEvent) -> None:
        self.session.add(event)

    def unprocessed(self, source: Provider) -> list[InboxEvent]:
        return list(
            self.session.scalars(
                sa.select(InboxEvent).where(
                    InboxEvent.source == source, InboxEvent.processed_at.is_(None)
                )
            )
        )
