"""A Xero accounting sync for the runner: read the books, then write documents, figures and
the cursor in one transaction (a failed read or write leaves the last good figures)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from roofops.config import Settings, get_settings
from roofops.integrations.core.accounting import remember_lock_date
from roofops.integrations.core.repository import ConnectionRepository
from roofops.integrations.core.runs import SyncRunRecorder
from roofops.integrations.xero.client import XeroClient
from roofops.integrations.xero.connection import xero_connection
from roofops.integrations.xero.ledger import DEFAULT_NUMBER_PATTERN
from roofops.integrations.xero.sync import LedgerWriter, cursor, move_cursor, read_changes
from roofops.integrations.xero.tokens import (
    CHOOSE_TENANT,
    NOT_CONNECTED,
    PROVIDER,
    REAUTHORIZE,
)
from roofops.kit.time import utcnow
from roofops.models.enums import ConnectionStatus
from roofops.models.integration import IntegrationConnection

SYNC_TASK = "xero.sync"
REFUSED = "Xero refused our authorization: reconnect in Settings > Integrations"
ClientFactory = Callable[[sessionmaker[Session], Settings], XeroClient]


def connected_client(sessions: sessionmaker[Session], settings: Settings) -> XeroClient:
    return xero_connection.client(sessions, settings)


class XeroSync:
    provider = PROVIDER
    label = "Xero"
    task_name = SYNC_TASK
    refused = REFUSED

    def __init__(self, client_factory: ClientFactory = connected_client) -> None:
        self.client_factory = client_factory

    def first_sync(self, db: Session) -> bool:
        return cursor(db) is None

    def problem(self, db: Session, settings: Settings) -> str:
        return self.problem_of(ConnectionRepository(db).by_provider(PROVIDER), settings)

    def problem_of(
        self,
        connection: IntegrationConnection | None,
        settings: Settings,  # noqa: ARG002 (the protocol's)
    ) -> str:
        if connection is None:
            return NOT_CONNECTED
        if connection.status == ConnectionStatus.FAILED:
            return connection.last_error or REAUTHORIZE
        if connection.status != ConnectionStatus.CONNECTED:
            return NOT_CONNECTED
        return "" if connection.account_id else CHOOSE_TENANT

    def client(self, sessions: sessionmaker[Session], settings: Settings) -> XeroClient:
        return self.client_factory(sessions, settings)

    def run(
        self,
        sessions: sessionmaker[Session],
        client: XeroClient,
        recorder: SyncRunRecorder,
        *,
        full: bool,
    ) -> None:
        settings = get_settings()
        with sessions() as db:
            since, pattern = (
                cursor(db),
                ConnectionRepository(db).option(
                    PROVIDER, "invoice_number_pattern", DEFAULT_NUMBER_PATTERN
                ),
            )
        recorder.progress("reading the books", 0, None, force=True)
        try:
            changes = read_changes(client, since, full=full)
            # Remembered for invoice generation: nothing is raised inside a closed period.
            locked = client.organisation().locked_through()
        finally:
            recorder.counts.requests = client.requests_sent
        recorder.counts.fetched = changes.count
        recorder.progress("updating job figures", changes.count, changes.count, force=True)
        with sessions.begin() as db:
            writer = LedgerWriter(db, recorder, pattern, settings.xero_job_tracking_category)
            writer.apply(changes, utcnow())
            remember_lock_date(db, PROVIDER, locked)
            move_cursor(db, changes.newest)


xero_sync = XeroSync()
