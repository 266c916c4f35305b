"""The sync-run log: written in short transactions of its own, beside the sync's data.

Progress is visible (and pushed live as ``sync.progress`` events) while the run works, and the
history survives a run whose data transaction rolled back.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import asdict, dataclass
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from roofops.auth.permissions import Permission
from roofops.events.bus import publish
from roofops.exceptions import Conflict, NotFound
from roofops.integrations.core.repository import SyncRunRepository
from roofops.kit.http import RetryPolicy
from roofops.kit.time import as_utc, utcnow
from roofops.logging import get_logger
from roofops.models.enums import Provider, SyncKind, SyncRunStatus
from roofops.models.integration import SyncRun, SyncRunError

log = get_logger(__name__)

PROGRESS_TOPIC = "sync.progress"
# A RUNNING run whose heartbeat is older than this was killed. A live run beats at every page,
# and a page may wait out the vendor's throttling for the whole retry budget (4 minutes).
STALE_AFTER = timedelta(minutes=10)
# Every vendor's syncs run in the background, so they ride out a throttle rather than fail the
# run: Retry-After honoured, else full jitter from half a second up to a minute (QuickBooks'
# and JobNimbus' windows), for 4 minutes of elapsed time, well inside STALE_AFTER (a run beats
# its heartbeat every page).
BACKGROUND_RETRY = RetryPolicy(give_up_after=240.0, base_delay=0.5, max_delay=60.0)
# Someone is waiting for the answer (a key check, the OAuth consent callback, a token refresh
# under a sync's row lock): a few seconds of retries, then say so.
INTERACTIVE_RETRY = RetryPolicy(give_up_after=5.0, base_delay=0.25, max_delay=2.0)
assert BACKGROUND_RETRY.give_up_after < STALE_AFTER.total_seconds()
MAX_STORED_ERRORS = 500
PROGRESS_EVERY_SECONDS = 0.5


@dataclass
class RunCounts:
    requests: int = 0
    fetched: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    warnings: int = 0


class SyncRunRecorder:
    """Keeps one SyncRun row current. Use :meth:`adopt`; call :meth:`finish` exactly once."""

    def __init__(self, sessions: sessionmaker[Session], run_id: uuid.UUID, provider: Provider):
        self.sessions, self.run_id, self.provider = sessions, run_id, provider
        self.counts = RunCounts()
        self._last_progress = 0.0

    @classmethod
    def adopt(
        cls, sessions: sessionmaker[Session], run_id: uuid.UUID, provider: Provider
    ) -> SyncRunRecorder:
        """Carry on a run created when the sync was requested (so the caller had its id)."""
        with sessions.begin() as db:
            run = SyncRunRepository(db).get(run_id)
            if run is None:
                raise Conflict("the requested sync run no longer exists")
            run.heartbeat_at, run.phase = utcnow(), "started"
            _announce(db, run)
        return cls(sessions, run_id, provider)

    def progress(
        self, phase: str, done: int, total: int | None = None, *, force: bool = False
    ) -> None:
        """Saves counts and progress; at most every half second unless ``force``."""
        moment = time.monotonic()
        if not force and moment - self._last_progress < PROGRESS_EVERY_SECONDS:
            return
        self._last_progress = moment
        with self.sessions.begin() as db:
            run = self._run(db)
            run.phase, run.progress_done, run.progress_total = phase, done, total
            self._save_counts(run)
            _announce(db, run)

    def merge(self, counts: RunCounts, *, fetched: int) -> None:
        """Adds what one committed page did."""
        for name, value in asdict(counts).items():
            setattr(self.counts, name, getattr(self.counts, name) + value)
        self.counts.fetched += fetched

    def reject(self, record_type: str, external_id: str, message: str) -> None:
        """One record could not be taken: counted, and kept (the first 500) with its reason."""
        self.counts.failed += 1
        log.warning(
            "sync.record.rejected",
            provider=self.provider.value,
            record_type=record_type,
            external_id=external_id,
            reason=message,
        )
        if self.counts.failed > MAX_STORED_ERRORS:
            return
        with self.sessions.begin() as db:
            db.add(
                SyncRunError(
                    run_id=self.run_id,
                    record_type=record_type,
                    external_id=external_id[:64],
                    message=message[:2000],
                    created_at=utcnow(),
                )
            )

    def finish(self, error: str = "") -> SyncRunStatus:
        with self.sessions.begin() as db:
            run = self._run(db)
            self._save_counts(run)
            run.status = _outcome(error, self.counts)
            run.error, run.finished_at, run.phase = error[:4000], utcnow(), "finished"
            _announce(db, run)
        log.info(
            "sync.finished", run_id=str(self.run_id), status=run.status.value, **asdict(self.counts)
        )
        return run.status

    def _run(self, db: Session) -> SyncRun:
        run = SyncRunRepository(db).get(self.run_id)
        assert run is not None, "a sync run row is never deleted while it runs"
        return run

    def _save_counts(self, run: SyncRun) -> None:
        for name, value in asdict(self.counts).items():
            setattr(run, name, value)
        run.heartbeat_at = utcnow()


def open_run(
    db: Session, provider: Provider, kind: SyncKind, *, triggered_by: str, scope: str = ""
) -> SyncRun:
    """A RUNNING run in the caller's transaction (so that a request can create the run and
    queue its task atomically); refuses (409) while another run of the provider is alive."""
    _close_dead_runs(db, provider)
    now = utcnow()
    run = SyncRun(
        provider=provider,
        kind=kind,
        triggered_by=triggered_by,
        scope=scope,
        started_at=now,
        heartbeat_at=now,
        phase="queued",
    )
    SyncRunRepository(db).add(run)
    _announce(db, run)
    log.info("sync.started", provider=provider.value, kind=kind.value, run_id=str(run.id))
    return run


def _outcome(error: str, counts: RunCounts) -> SyncRunStatus:
    if error:
        return SyncRunStatus.FAILED
    return SyncRunStatus.PARTIAL if counts.failed else SyncRunStatus.SUCCEEDED


def is_alive(run: SyncRun) -> bool:
    """RUNNING and still beating: a run whose heartbeat stopped was killed."""
    return run.status == SyncRunStatus.RUNNING and utcnow() - as_utc(run.heartbeat_at) < STALE_AFTER


def _ensure_idle(db: Session, provider: Provider) -> list[SyncRun]:
    """Refuses (409) while a run of this provider is alive; returns the dead RUNNING ones."""
    running = SyncRunRepository(db).running(provider)
    for run in running:
        if is_alive(run):
            raise Conflict(
                f"a {provider.label} sync is already running (started {run.started_at:%H:%M} UTC)",
                run_id=str(run.id),
            )
    return running


def _close_dead_runs(db: Session, provider: Provider) -> None:
    for run in _ensure_idle(db, provider):
        run.status, run.finished_at = SyncRunStatus.FAILED, utcnow()
        run.error = "interrupted: the process running this sync stopped; a later run redid it"


def _announce(db: Session, run: SyncRun) -> None:
    publish(
        db,
        PROGRESS_TOPIC,
        {
            "run_id": str(run.id),
            "provider": run.provider.value,
            "status": run.status.value,
            "phase": run.phase,
            "done": run.progress_done,
            "total": run.progress_total,
        },
        # As GET .../runs: whoever may not read a run does not watch it either.
        seen_with=Permission.VIEW_INTEGRATIONS,
    )


# ----- reading runs ---------------------------------------------------------------------------
def recent_runs(db: Session, provider: Provider, *, limit: int = 20) -> list[SyncRun]:
    return SyncRunRepository(db).recent(provider, limit)


def latest_run(db: Session, provider: Provider) -> SyncRun | None:
    runs = SyncRunRepository(db).recent(provider, 1)
    return runs[0] if runs else None


def run_with_errors(
    db: Session, provider: Provider, run_id: uuid.UUID, *, limit: int = 200
) -> tuple[SyncRun, list[SyncRunError]]:
    """One run of this vendor and the first records it could not take (404 for another's)."""
    repository = SyncRunRepository(db)
    run = repository.get(run_id)
    if run is None or run.provider != provider:
        raise NotFound("no such sync run")
    return run, repository.errors(run_id, limit=limit)
