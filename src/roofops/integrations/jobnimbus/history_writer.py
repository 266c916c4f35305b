"""Status-change activities: into their job's status log, then the job's stage history is
derived again (see :mod:`.timeline`).

An activity can arrive before its job: a job created after the jobs stream was read, or one
JobNimbus did not list. Such a job is fetched by id and imported. An activity whose job cannot be
taken is kept in the log (it applies as soon as the job comes in) and reported with the reason:
the job's own error in the same run, or why JobNimbus did not return it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

from roofops.integrations.jobnimbus.history import StageLookup
from roofops.integrations.jobnimbus.job_writer import JobWriter
from roofops.integrations.jobnimbus.repository import StatusLogRepository
from roofops.integrations.jobnimbus.schemas import Activity, Job, StatusChange
from roofops.integrations.jobnimbus.timeline import Timelines
from roofops.integrations.jobnimbus.writers import SOURCE, PageContext
from roofops.kit.http import VendorRequestError, VendorResponseError
from roofops.kit.time import as_utc
from roofops.models.integration import ExternalRef

NOT_RETURNED = (
    "JobNimbus does not return it (HTTP 404): it was deleted, or this API key's access profile "
    "cannot see it"
)
REFUSED = "this run could not take it (see that job's error in this run)"


@dataclass(frozen=True)
class MissingJobs:
    """How to bring in a job that activities refer to but we do not have."""

    refused: Collection[str]  # jobs this run could not take, each with its own error
    fetch: Callable[[str], Job]
    writer: JobWriter

    def bring(self, ctx: PageContext, jnids: Collection[str]) -> dict[str, str]:
        """Imports what it can; returns why each of the others is still missing."""
        missing = {jnid: REFUSED for jnid in jnids if jnid in self.refused}
        fetched = []
        for jnid in sorted(set(jnids) - missing.keys()):
            job, reason = self._fetch(ctx, jnid)
            if job is None:
                missing[jnid] = reason
            else:
                fetched.append(job)
        if fetched:
            self.writer.apply(fetched)
        missing.update(dict.fromkeys(ctx.refused("job") & set(jnids), REFUSED))
        return missing

    def _fetch(self, ctx: PageContext, jnid: str) -> tuple[Job | None, str]:
        try:
            return self.fetch(jnid), ""
        except VendorResponseError as error:  # served, but not a job we can read
            ctx.reject("job", jnid, error.message)
            return None, REFUSED
        except VendorRequestError as error:
            if error.status != 404:
                raise
            return None, NOT_RETURNED


class HistoryWriter:
    def __init__(
        self,
        ctx: PageContext,
        stage_of: StageLookup,
        status_names: Mapping[int, str],
        missing_jobs: MissingJobs,
    ) -> None:
        self.ctx, self.stage_of, self.status_names = ctx, stage_of, status_names
        self.missing_jobs = missing_jobs

    def apply(self, activities: Sequence[Activity]) -> None:
        changes = self._new_changes(activities)
        self.ctx.counts.unchanged += len(activities) - len(changes)
        if not changes:
            return
        jnids = {change.job_jnid for _, change in changes}
        timelines = Timelines.load(self.ctx.db, self.ctx.now, jnids, ())
        self._log(timelines, changes)
        known = self.ctx.refs.lookup(SOURCE, "job", jnids)
        self._report_waiting(changes, self.missing_jobs.bring(self.ctx, jnids - known.keys()))
        self._derive(timelines, known)

    def _new_changes(self, activities: Sequence[Activity]) -> list[tuple[Activity, StatusChange]]:
        """The status changes among these activities that are not in the log yet."""
        changes = [
            (a, change) for a in activities if (change := a.status_change(self.status_names))
        ]
        logged = StatusLogRepository(self.ctx.db).logged(a.jnid for a, _ in changes)
        return [(activity, change) for activity, change in changes if activity.jnid not in logged]

    def _log(self, timelines: Timelines, changes: Sequence[tuple[Activity, StatusChange]]) -> None:
        for activity, change in changes:
            with self.ctx.record("activity", activity.jnid):
                timelines.log_activity(activity.jnid, change, activity.created_by_name or "")

    def _report_waiting(
        self, changes: Sequence[tuple[Activity, StatusChange]], waiting: Mapping[str, str]
    ) -> None:
        """Each change is in the log; one whose job is still missing says why."""
        for activity, change in changes:
            if change.job_jnid in waiting:
                why = f"waits for job {change.job_jnid}: {waiting[change.job_jnid]}"
                self.ctx.reject("activity", activity.jnid, why)
            else:
                self.ctx.counts.created += 1

    def _derive(self, timelines: Timelines, refs: Mapping[str, ExternalRef]) -> None:
        """Jobs we already had: their history again, from the log with the new entries."""
        jobs = self.ctx.targets.jobs(ref.local_id for ref in refs.values())
        timelines.load_events(jobs)
        for jnid, ref in refs.items():
            if (job := jobs.get(ref.local_id)) is not None:
                timelines.apply(job, jnid, self.stage_of, as_utc(job.stage_changed_at))
