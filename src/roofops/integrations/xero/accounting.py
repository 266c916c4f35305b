"""Xero behind the accounting port."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from roofops.config import Settings
from roofops.integrations.xero.connection import XeroView, xero_connection
from roofops.integrations.xero.push import XeroBooksWriter
from roofops.integrations.xero.sync_service import XeroSync, xero_sync
from roofops.integrations.xero.tokens import PROVIDER
from roofops.models.integration import IntegrationConnection


class XeroAccounting:
    provider = PROVIDER
    label = "Xero"

    def __init__(self, sync: XeroSync = xero_sync) -> None:
        self.sync = sync

    def problem_of(self, connection: IntegrationConnection | None, settings: Settings) -> str:
        return self.sync.problem_of(connection, settings)

    def view(self, db: Session, settings: Settings) -> XeroView:
        return xero_connection.view(db, settings)

    def books_writer(self, sessions: sessionmaker[Session], settings: Settings) -> XeroBooksWriter:
        return XeroBooksWriter(sessions, self.sync.client(sessions, settings), settings)


xero_accounting = XeroAccounting()
