"""A QuickBooks accounting sync for the runner: read the books, then write documents, figures
and the cursor in one transaction (a failed read or write leaves the last good figures)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from roofops.config import Settings
from roofops.integrations.core.accounting import remember_lock_date
from roofops.integrations.core.repository import ConnectionRepository
from roofops.integrations.core.runs import SyncRunRecorder
from roofops.integrations.quickbooks.client import QuickBooksClient
from roofops.integrations.quickbooks.connection import quickbooks_connection
from roofops.integrations.quickbooks.ledger import DEFAULT_DOC_NUMBER_PATTERN
from roofops.integrations.quickbooks.sync import LedgerWriter, cursor, move_cursor, read_changes
from roofops.integrations.quickbooks.tokens import (
    NOT_CONNECTED,
    PROVIDER,
    REAUTHORIZE,
    env_origin,
)
from roofops.kit.time import utcnow
from roofops.models.enums import ConnectionStatus
from roofops.models.integration import IntegrationConnection

SYNC_TASK = "quickbooks.sync"
REFUSED = "QuickBooks refused our authorization: reconnect in Settings > Integrations"
# Tokens seeded from the server's environment work without anyone pressing Connect.
ENV_ORIGINS = frozenset({"env", "env-access-token"})
ClientFactory = Callable[[sessionmaker[Session], Settings], QuickBooksClient]


def connected_client(sessions: sessionmaker[Session], settings: Settings) -> QuickBooksClient:
    return quickbooks_connection.client(sessions, settings)


class QuickBooksSync:
    provider = PROVIDER
    label = "QuickBooks"
    task_name = SYNC_TASK
    refused = REFUSED

    def __init__(self, client_factory: ClientFactory = connected_client) -> None:
        self.client_factory = client_factory

    def first_sync(self, db: Session) -> bool:
        return cursor(db) is None

    def problem(self, db: Session, settings: Settings) -> str:
        return self.problem_of(ConnectionRepository(db).by_provider(PROVIDER), settings)

    def problem_of(self, connection: IntegrationConnection | None, settings: Settings) -> str:
        # The connection row alone (every Profit and job page asks): the whole view would
        # decrypt the stored secrets to say whether an OAuth app is configured.
        status = connection.status if connection else ConnectionStatus.NOT_CONFIGURED
        if status == ConnectionStatus.FAILED:
            return (connection.last_error if connection else "") or REAUTHORIZE
        if status == ConnectionStatus.CONNECTED:
            return ""
        origin = (connection.credentials_origin if connection else "") or env_origin(
            connection, settings
        )
        return "" if origin in ENV_ORIGINS else NOT_CONNECTED

    def client(self, sessions: sessionmaker[Session], settings: Settings) -> QuickBooksClient:
        return self.client_factory(sessions, settings)

    def run(
        self,
        sessions: sessionmaker[Session],
        client: QuickBooksClient,
        recorder: SyncRunRecorder,
        *,
        full: bool,
    ) -> None:
        with sessions() as db:
            since, pattern = (
                cursor(db),
                ConnectionRepository(db).option(
                    PROVIDER, "doc_number_pattern", DEFAULT_DOC_NUMBER_PATTERN
                ),
            )
        recorder.progress("reading the books", 0, None, force=True)
        try:
            changes = read_changes(client, since, full=full)
            # Remembered for invoice generation: nothing is raised inside a closed period.
            locked = client.preferences().book_close_date
        finally:
            recorder.counts.requests = client.requests_sent
        recorder.counts.fetched = changes.count
        for bad in changes.malformed:
            recorder.reject(bad.entity, bad.id or "", bad.error)
        recorder.progress("updating job figures", changes.count, changes.count, force=True)
        with sessions.begin() as db:
            LedgerWriter(db, recorder, pattern).apply(changes, utcnow())
            remember_lock_date(db, PROVIDER, locked)
            move_cursor(db, changes.newest)


quickbooks_sync = QuickBooksSync()
