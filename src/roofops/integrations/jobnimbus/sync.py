"""One JobNimbus sync run: contacts, then jobs, then status-change activities.

Each stream starts with one request for its newest changes (:meth:`JobNimbusClient.probe`): it
says how many records match and when the newest of them changed, and when they fit in one page
(a usual incremental run) it is the whole read. Otherwise the stream is paged in creation order,
which edits made while it pages cannot reorder: such an edit can make a record arrive twice
(harmless: fingerprints) but never hides one. The distinct records read are then checked
against the count JobNimbus gave: a list read short is read once more, and if it is still short
the run says so (it ends *partial*) and that stream's cursor stays where it was.

The next cursor of a stream is the newest change as it was when the stream's read began, less an
overlap window: whatever is edited while a run reads (after its record was read) is read again by
the next run, and so are records stamped by a JobNimbus clock a little behind. Every page is
applied in its own transaction; the cursors move only when all three streams were read to the
end, so a run killed half-way is simply redone by the next one, and ExternalRef makes the redo
change nothing twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from roofops.activity.changes import field_changes
from roofops.activity.service import activity_service
from roofops.financials.service import financials_service
from roofops.integrations.core.repository import SyncCursorRepository
from roofops.integrations.core.runs import SyncRunRecorder
from roofops.integrations.jobnimbus.client import (
    ACTIVITIES,
    CONTACTS,
    JOBS,
    PAGE_SIZE,
    JobNimbusClient,
    Resource,
)
from roofops.integrations.jobnimbus.history import StageLookup
from roofops.integrations.jobnimbus.history_writer import HistoryWriter, MissingJobs
from roofops.integrations.jobnimbus.job_writer import JobWriter
from roofops.integrations.jobnimbus.repository import WorkflowRepository
from roofops.integrations.jobnimbus.schemas import AccountSettings, Page
from roofops.integrations.jobnimbus.writers import SOURCE, ContactWriter, PageContext, Problem
from roofops.kit.time import utcnow
from roofops.logging import get_logger
from roofops.models.crm import CrmWorkflowStatus

log = get_logger(__name__)

OVERLAP = timedelta(minutes=10)
STREAMS = ("contacts", "jobs", "activities")
RESOURCES: Mapping[str, Resource[Any]] = {
    "contacts": CONTACTS,
    "jobs": JOBS,
    "activities": ACTIVITIES,
}
RECORD_TYPES = {"contacts": "contact", "jobs": "job", "activities": "activity"}


@dataclass
class Tally:
    """The distinct records one stream read, against the count JobNimbus gave as it began."""

    listed: int
    seen: set[str] = field(default_factory=set)

    def add(self, page: Page[Any]) -> None:
        self.seen.update(record.jnid for record in page.results)
        # A record without a jnid is known by its place in the list only.
        self.seen.update(_reference(bad.record) for bad in page.rejects)

    @property
    def missing(self) -> int:
        return max(0, self.listed - len(self.seen))


class SyncPass:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        client: JobNimbusClient,
        recorder: SyncRunRecorder,
        stage_of: StageLookup,
        *,
        full: bool,
    ) -> None:
        self.sessions, self.client, self.recorder = sessions, client, recorder
        self.stage_of, self.full = stage_of, full
        self.status_names: Mapping[int, str] = {}
        # Jobs this run could not take: activities waiting for one point at its error.
        self.refused_jobs: set[str] = set()

    def run(self) -> None:
        account = self.client.account_settings()
        self._keep_workflows(account)
        self.status_names = account.status_names()
        starts = self._starts()
        reached: dict[str, datetime] = {}
        for stream in STREAMS:
            if (mark := self._stream(stream, starts[stream])) is not None:
                reached[stream] = mark
        self._move_cursors(reached)
        self.recorder.counts.requests = self.client.requests_sent

    def _keep_workflows(self, account: AccountSettings) -> None:
        """For the status map: the statuses an admin can map, as JobNimbus lists them now."""
        with self.sessions.begin() as db:
            WorkflowRepository(db).replace(workflow_statuses(account))

    def _starts(self) -> dict[str, datetime | None]:
        if self.full:
            return dict.fromkeys(STREAMS)
        with self.sessions() as db:
            cursors = SyncCursorRepository(db)
            positions = {stream: cursors.position(SOURCE, stream) for stream in STREAMS}
        return {stream: at - OVERLAP if at else None for stream, at in positions.items()}

    def _stream(self, stream: str, since: datetime | None) -> datetime | None:
        """Reads one stream; returns its next cursor (None: leave the cursor where it is)."""
        probe = self.client.probe(RESOURCES[stream], since)
        tally = Tally(probe.count)
        if probe.whole_list:
            self._take(stream, probe, tally)
        else:
            self._read_through(stream, since, tally)
        if tally.missing:
            log.warning(
                "jobnimbus.list.short", stream=stream, listed=tally.listed, read=len(tally.seen)
            )
            self._read_through(stream, since, tally)
        if tally.missing:
            self.recorder.reject(f"{RECORD_TYPES[stream]}_list", "", _shortfall(stream, tally))
            return None
        return probe.newest_update

    def _read_through(self, stream: str, since: datetime | None, tally: Tally) -> None:
        for page in self.client.iter_pages(RESOURCES[stream], since, PAGE_SIZE, None, None):
            self._take(stream, page, tally)

    def _take(self, stream: str, page: Page[Any], tally: Tally) -> None:
        ctx = self._apply_page(stream, page.results)
        self.recorder.merge(ctx.counts, fetched=page.received)
        unreadable = _unreadable(stream, page)
        for problem in [*ctx.rejects, *ctx.warnings, *unreadable]:
            if problem[1] not in tally.seen:  # a record read again is reported once
                self.recorder.reject(*problem)
        self.refused_jobs |= {
            ident for kind, ident, _ in [*ctx.rejects, *unreadable] if kind == "job"
        }
        tally.add(page)
        self._report(stream, len(tally.seen), tally.listed)

    def _apply_page(self, stream: str, records: Sequence[Any]) -> PageContext:
        """All of a page in one flush; if the database refuses that, again record by record
        so that only the offending record is left out."""
        try:
            return self._write(stream, records, isolated=False)
        except sa.exc.DBAPIError:
            return self._write(stream, records, isolated=True)

    def _write(self, stream: str, records: Sequence[Any], *, isolated: bool) -> PageContext:
        with self.sessions.begin() as db:
            ctx = PageContext(db, utcnow(), isolated=isolated)
            self._apply(stream, ctx, records)
            financials_service.track(db, ctx.jobs)
            self._tell_feeds(ctx)
        return ctx

    def _tell_feeds(self, ctx: PageContext) -> None:
        """Each changed job's feed says what changed, in the page's transaction."""
        found = {job_id: field_changes(changes) for job_id, changes in ctx.job_changes.items()}
        run_id = self.recorder.run_id
        activity_service.record_syncs(ctx.db, found, source=SOURCE.label, run_id=run_id)

    def _apply(self, stream: str, ctx: PageContext, records: Sequence[Any]) -> None:
        if stream == "contacts":
            ContactWriter(ctx).apply(records)
        elif stream == "jobs":
            self._job_writer(ctx, remap=self.full).apply(records)
        else:
            missing = MissingJobs(self.refused_jobs, self.client.get_job, self._job_writer(ctx))
            HistoryWriter(ctx, self.stage_of, self.status_names, missing).apply(records)

    def _job_writer(self, ctx: PageContext, *, remap: bool = False) -> JobWriter:
        return JobWriter(ctx, self.stage_of, self.client.get_contact, remap=remap)

    def _report(self, stream: str, done: int, total: int) -> None:
        self.recorder.counts.requests = self.client.requests_sent
        self.recorder.progress(stream, done, total, force=done >= total)

    def _move_cursors(self, reached: Mapping[str, datetime]) -> None:
        with self.sessions.begin() as db:
            cursors, now = SyncCursorRepository(db), utcnow()
            for stream, position in reached.items():
                cursors.move(SOURCE, stream, position, now)


def workflow_statuses(account: AccountSettings) -> list[CrmWorkflowStatus]:
    return [
        CrmWorkflowStatus(
            workflow_id=workflow.id,
            workflow_name=workflow.name[:120],
            workflow_order=workflow.order,
            status_id=status.id,
            status_name=status.name[:120],
            status_order=status.order,
            is_closed=status.is_closed,
        )
        for workflow in account.job_workflows()
        if workflow.is_active
        for status in workflow.status
        if status.is_active and not status.is_archived
    ]


def _unreadable(stream: str, page: Page[Any]) -> list[Problem]:
    return [(RECORD_TYPES[stream], _reference(bad.record), bad.error) for bad in page.rejects]


def _reference(record: str | int) -> str:
    return record if isinstance(record, str) else f"#{record}"


def _shortfall(stream: str, tally: Tally) -> str:
    return (
        f"JobNimbus listed {tally.listed:,} {stream} but {len(tally.seen):,} arrived, after "
        "reading the list twice; the next sync reads it again"
    )
