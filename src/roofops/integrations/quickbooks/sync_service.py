"""Running an accounting sync from QuickBooks: the run, its progress, its outcome."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from roofops.exceptions import ConfigurationError, RoofOpsError
from roofops.financials.service import financials_service
from roofops.integrations.core.repository import ConnectionRepository
from roofops.integrations.core.runs import SyncRunRecorder
from roofops.integrations.quickbooks.client import QuickBooksClient
from roofops.integrations.quickbooks.ledger import DEFAULT_DOC_NUMBER_PATTERN
from roofops.integrations.quickbooks.sync import LedgerWriter, cursor, move_cursor, read_changes
from roofops.kit.http import VendorAuthError, VendorError
from roofops.kit.time import utcnow
from roofops.logging import get_logger
from roofops.models.enums import Provider

log = get_logger(__name__)
PROVIDER = Provider.QUICKBOOKS
ClientFactory = Callable[[], QuickBooksClient]


class QuickBooksSyncService:
    def sync(
        self,
        sessions: sessionmaker[Session],
        client_factory: ClientFactory,
        *,
        full: bool,
        run_id: uuid.UUID,
        job_id: uuid.UUID | None = None,
    ) -> None:
        """Reads the books, then writes documents, figures and cursor in one transaction."""
        recorder = SyncRunRecorder.adopt(sessions, run_id, PROVIDER)
        try:
            self._run(sessions, client_factory, recorder, full=full)
        except (VendorError, ConfigurationError) as error:
            self._failed(sessions, recorder, _explain(error), job_id)
        except Exception as error:
            self._failed(sessions, recorder, f"stopped by {type(error).__name__}", job_id)
            raise
        else:
            self._succeeded(sessions)
            recorder.finish()

    def _succeeded(self, sessions: sessionmaker[Session]) -> None:
        with sessions.begin() as db:
            connection = ConnectionRepository(db).by_provider(PROVIDER)
            if connection is not None:
                connection.last_error, connection.last_success_at = "", utcnow()

    def _run(
        self,
        sessions: sessionmaker[Session],
        client_factory: ClientFactory,
        recorder: SyncRunRecorder,
        *,
        full: bool,
    ) -> None:
        with sessions() as db:
            since, pattern = cursor(db), _doc_pattern(db)
        recorder.progress("reading the books", 0, None, force=True)
        with client_factory() as client:
            try:
                changes = read_changes(client, since, full=full)
            finally:
                recorder.counts.requests = client.requests_sent
        recorder.counts.fetched = changes.count
        for bad in changes.malformed:
            recorder.reject(bad.entity, bad.id or "", bad.error)
        recorder.progress("updating job figures", changes.count, changes.count, force=True)
        with sessions.begin() as db:
            financials_service.ensure_all(db)
            LedgerWriter(db, recorder, pattern).apply(changes, utcnow())
            move_cursor(db, changes.newest)

    def _failed(
        self,
        sessions: sessionmaker[Session],
        recorder: SyncRunRecorder,
        message: str,
        job_id: uuid.UUID | None,
    ) -> None:
        """The figures stay as they were; the run, the connection (and the job) show why."""
        log.warning("quickbooks.sync.failed", run_id=str(recorder.run_id), reason=message)
        with sessions.begin() as db:
            connection = ConnectionRepository(db).by_provider(PROVIDER)
            if connection is not None:
                connection.last_error = message
            if job_id is not None:
                financials_service.mark_sync_failed(db, [job_id], message)
        recorder.finish(message)


def _doc_pattern(db: Session) -> str:
    connection = ConnectionRepository(db).by_provider(PROVIDER)
    options = connection.options if connection else {}
    return str(options.get("doc_number_pattern") or DEFAULT_DOC_NUMBER_PATTERN)


def _explain(error: RoofOpsError) -> str:
    if isinstance(error, VendorAuthError):
        return "QuickBooks refused our authorization: reconnect in Settings > Integrations"
    return error.message


quickbooks_sync_service = QuickBooksSyncService()
