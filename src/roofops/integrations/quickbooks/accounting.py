"""QuickBooks Online behind the accounting port."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from roofops.config import Settings
from roofops.integrations.quickbooks.connection import QuickBooksView, quickbooks_connection
from roofops.integrations.quickbooks.push import QuickBooksBooksWriter
from roofops.integrations.quickbooks.sync_service import QuickBooksSync, quickbooks_sync
from roofops.integrations.quickbooks.tokens import PROVIDER
from roofops.models.integration import IntegrationConnection


class QuickBooksAccounting:
    provider = PROVIDER
    label = "QuickBooks"

    def __init__(self, sync: QuickBooksSync = quickbooks_sync) -> None:
        self.sync = sync

    def problem_of(self, connection: IntegrationConnection | None, settings: Settings) -> str:
        return self.sync.problem_of(connection, settings)

    def view(self, db: Session, settings: Settings) -> QuickBooksView:
        return quickbooks_connection.view(db, settings)

    def books_writer(
        self, sessions: sessionmaker[Session], settings: Settings
    ) -> QuickBooksBooksWriter:
        return QuickBooksBooksWriter(sessions, self.sync.client(sessions, settings))


quickbooks_accounting = QuickBooksAccounting()
