"""The one way a vendor sync runs, whoever asked for it (a page, the API, the CLI, a schedule).

A vendor supplies a :class:`VendorSync`: how to build its client and how to read and write one
run. The runner does the rest the same way for every vendor: it creates the run (or adopts the
one created when the sync was requested, so the caller could follow it), builds the client
outside any transaction, maps vendor errors to the run's and the connection's outcome, keeps the
request count, and finishes the run exactly once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Protocol, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from roofops.config import Settings
from roofops.exceptions import ConfigurationError, Conflict
from roofops.integrations.core.repository import ConnectionRepository
from roofops.integrations.core.runs import SyncRunRecorder, open_run
from roofops.kit.http import VendorAuthError, VendorError
from roofops.kit.time import utcnow
from roofops.logging import get_logger
from roofops.models.enums import ConnectionStatus, Provider, SyncKind, SyncRunStatus
from roofops.models.integration import IntegrationConnection, SyncRun
from roofops.worker.queue import enqueue

log = get_logger(__name__)


class SyncClient(Protocol):
    """What the runner needs of a vendor client: a request count, and closing it."""

    @property
    def requests_sent(self) -> int: ...

    def __enter__(self) -> SyncClient: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...


ClientT = TypeVar("ClientT", bound=SyncClient)


class VendorSync(Protocol[ClientT]):
    provider: Provider
    label: str  # as people spell it: "JobNimbus", "QuickBooks"
    task_name: str  # the background task that runs it: "<vendor>.sync"
    # Said on the run and the connection when the vendor refuses our credentials (401/403).
    refused: str

    def first_sync(self, db: Session) -> bool:
        """Nothing was read yet: the first run reads everything, and says so."""
        ...

    def problem(self, db: Session, settings: Settings) -> str:
        """Why a sync cannot start now (not connected, refused...), or "" when it can."""
        ...

    def client(self, sessions: sessionmaker[Session], settings: Settings) -> ClientT:
        """A client of the connected account; raises a RoofOpsError (409) when there is none.
        Called outside any transaction of the runner's."""
        ...

    def run(
        self,
        sessions: sessionmaker[Session],
        client: ClientT,
        recorder: SyncRunRecorder,
        *,
        full: bool,
    ) -> None:
        """Read and write one run; progress and rejected records go to ``recorder``."""
        ...


@dataclass(frozen=True)
class Outcome:
    error: str = ""
    connection_failed: bool = False


def request_sync(
    db: Session,
    settings: Settings,
    sync: VendorSync[Any],
    *,
    full: bool,
    triggered_by: str,
    scope: str = "",
) -> SyncRun:
    """The run and its task, both in ``db``'s transaction: either both exist once it commits,
    or neither does. Refuses (409) while a run of this vendor is alive, and before any run
    exists when the sync could only fail (nothing connected)."""
    if problem := sync.problem(db, settings):
        raise Conflict(problem)
    run = open_run(db, sync.provider, _kind(db, sync, full), triggered_by=triggered_by, scope=scope)
    enqueue(db, sync.task_name, run_id=str(run.id), full=full)
    return run


def run_now(
    sessions: sessionmaker[Session],
    settings: Settings,
    sync: VendorSync[Any],
    *,
    full: bool,
    triggered_by: str,
) -> uuid.UUID:
    """Open a run and carry it out in this process (the CLI); returns the run's id."""
    with sessions.begin() as db:
        kind = _kind(db, sync, full)
        run_id = open_run(db, sync.provider, kind, triggered_by=triggered_by).id
    run_sync(sessions, settings, sync, run_id=run_id, full=full)
    return run_id


def run_sync(
    sessions: sessionmaker[Session],
    settings: Settings,
    sync: VendorSync[Any],
    *,
    run_id: uuid.UUID,
    full: bool,
) -> SyncRunStatus:
    """Carry out a requested run to its end; the run says how it went."""
    recorder = SyncRunRecorder.adopt(sessions, run_id, sync.provider)
    full = full or _first(sessions, sync)
    try:
        _read_and_write(sessions, settings, sync, recorder, full=full)
    except VendorAuthError:
        outcome = Outcome(sync.refused, connection_failed=True)
    except (VendorError, ConfigurationError) as error:
        outcome = Outcome(error.message)
    except Exception as error:
        _finish(sessions, sync, recorder, Outcome(f"stopped by {type(error).__name__}"))
        raise
    else:
        outcome = Outcome()
    return _finish(sessions, sync, recorder, outcome)


def _read_and_write(
    sessions: sessionmaker[Session],
    settings: Settings,
    sync: VendorSync[Any],
    recorder: SyncRunRecorder,
    *,
    full: bool,
) -> None:
    with sync.client(sessions, settings) as client:
        try:
            sync.run(sessions, client, recorder, full=full)
        finally:
            recorder.counts.requests = client.requests_sent


def _finish(
    sessions: sessionmaker[Session],
    sync: VendorSync[Any],
    recorder: SyncRunRecorder,
    outcome: Outcome,
) -> SyncRunStatus:
    """The connection shows the last outcome (only refused credentials mark it failed); the
    figures and records a failed run did not commit stay as they were."""
    if outcome.error:
        log.warning("sync.failed", provider=sync.provider.value, reason=outcome.error)
    with sessions.begin() as db:
        _mark(_connection(db, sync.provider), outcome)
    return recorder.finish(outcome.error)


def _mark(connection: IntegrationConnection, outcome: Outcome) -> None:
    connection.last_error = outcome.error
    if not outcome.error:
        connection.last_success_at = utcnow()
        connection.status = ConnectionStatus.CONNECTED
    elif outcome.connection_failed:
        connection.status = ConnectionStatus.FAILED


def _connection(db: Session, provider: Provider) -> IntegrationConnection:
    """The vendor's row; an account configured only in the environment gets one now."""
    repository = ConnectionRepository(db)
    return repository.lock(provider) or repository.add(IntegrationConnection(provider=provider))


def _kind(db: Session, sync: VendorSync[Any], full: bool) -> SyncKind:
    return SyncKind.FULL if full or sync.first_sync(db) else SyncKind.INCREMENTAL


def _first(sessions: sessionmaker[Session], sync: VendorSync[Any]) -> bool:
    with sessions() as db:
        return sync.first_sync(db)
