"""One JobNimbus sync run: contacts, then jobs, then status-change activities.

Incremental runs read what changed since each stream's cursor minus an overlap window (records
changed while a previous run paged, or stamped by a JobNimbus clock a little behind, are read
again and cost nothing: their fingerprints match). Every page is applied in its own transaction;
the cursors move only when all three streams were read to the end, so a run killed half-way is
simply redone by the next one, and ExternalRef makes the redo change nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from roofops.integrations.core.repository import SyncCursorRepository
from roofops.integrations.core.runs import SyncRunRecorder
from roofops.integrations.jobnimbus.client import JobNimbusClient
from roofops.integrations.jobnimbus.schemas import Page
from roofops.integrations.jobnimbus.writers import (
    SOURCE,
    ContactWriter,
    HistoryWriter,
    JobWriter,
    PageContext,
    StageLookup,
)
from roofops.kit.time import utcnow

OVERLAP = timedelta(minutes=10)
STREAMS = ("contacts", "jobs", "activities")


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

    def run(self) -> None:
        self.status_names = self.client.account_settings().status_names()
        starts = self._starts()
        reached: dict[str, datetime] = {}
        for stream in STREAMS:
            if (mark := self._stream(stream, starts[stream])) is not None:
                reached[stream] = mark
        self._move_cursors(reached)
        self.recorder.counts.requests = self.client.requests_sent

    def _starts(self) -> dict[str, datetime | None]:
        if self.full:
            return dict.fromkeys(STREAMS)
        with self.sessions() as db:
            cursors = SyncCursorRepository(db)
            positions = {stream: cursors.position(SOURCE, stream) for stream in STREAMS}
        return {stream: at - OVERLAP if at else None for stream, at in positions.items()}

    def _stream(self, stream: str, since: datetime | None) -> datetime | None:
        """Applies every page; returns the newest ``date_updated`` read (the next cursor)."""
        newest: datetime | None = None
        done = 0
        for page in self._pages(stream, since):
            records: Sequence[Any] = page.results
            ctx = self._apply_page(stream, records)
            self.recorder.merge(ctx.counts, fetched=len(records) + len(page.rejects))
            for reject in [*ctx.rejects, *_unreadable(stream, page)]:
                self.recorder.reject(*reject)
            done += len(records) + len(page.rejects)
            newest = max([newest, *(r.date_updated for r in records)], key=_or_min)
            self._report(stream, done, page.count)
        return newest

    def _pages(self, stream: str, since: datetime | None) -> Iterator[Page[Any]]:
        readers: dict[str, Callable[..., Iterator[Page[Any]]]] = {
            "contacts": self.client.iter_contacts,
            "jobs": self.client.iter_jobs,
            "activities": self.client.iter_activities,
        }
        return readers[stream](updated_since=since)

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
        return ctx

    def _apply(self, stream: str, ctx: PageContext, records: Sequence[Any]) -> None:
        if stream == "contacts":
            ContactWriter(ctx).apply(records)
        elif stream == "jobs":
            JobWriter(ctx, self.stage_of, self.client.get_contact).apply(records)
        else:
            HistoryWriter(ctx, self.stage_of, self.status_names).apply(records)

    def _report(self, stream: str, done: int, total: int) -> None:
        self.recorder.counts.requests = self.client.requests_sent
        self.recorder.progress(stream, done, total, force=done >= total)

    def _move_cursors(self, reached: Mapping[str, datetime]) -> None:
        with self.sessions.begin() as db:
            cursors, now = SyncCursorRepository(db), utcnow()
            for stream, position in reached.items():
                cursors.move(SOURCE, stream, position, now)


def _unreadable(stream: str, page: Page[Any]) -> list[tuple[str, str, str]]:
    return [(stream.removesuffix("s"), str(bad.record), bad.error) for bad in page.rejects]


def _or_min(value: datetime | None) -> datetime:
    return value if value is not None else datetime.min.replace(tzinfo=utcnow().tzinfo)
