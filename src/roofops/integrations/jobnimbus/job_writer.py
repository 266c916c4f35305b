"""Jobs, with their customer, property, branch and stage history, one page at a time.

A job whose status the status map does not know still comes in: at its last known stage, with
the status kept on the job (``unmapped_crm_status``) and reported on the run, so that mapping the
status and resyncing puts it right.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from roofops.audit.service import apply_changes
from roofops.integrations.jobnimbus.branches import BranchChooser
from roofops.integrations.jobnimbus.history import StageLookup
from roofops.integrations.jobnimbus.mapping import (
    MappingError,
    address_of,
    fingerprint,
    job_values,
)
from roofops.integrations.jobnimbus.schemas import Contact, Job
from roofops.integrations.jobnimbus.timeline import Timelines
from roofops.integrations.jobnimbus.writers import (
    SOURCE,
    ContactWriter,
    PageContext,
    property_at,
    stamp,
)
from roofops.models.enums import FigureSource
from roofops.models.integration import ExternalRef
from roofops.models.job import Job as LocalJob
from roofops.models.property import Property


@dataclass
class JobPage:
    """What one page of jobs touches, loaded in a handful of queries."""

    links: dict[str, ExternalRef]
    owners: dict[str, ExternalRef]
    local: dict[uuid.UUID, LocalJob]
    by_number: dict[str, LocalJob]
    properties: dict[uuid.UUID, list[Property]]
    timelines: Timelines
    branches: BranchChooser

    @classmethod
    def load(cls, ctx: PageContext, jobs: Sequence[Job]) -> JobPage:
        refs, targets = ctx.refs, ctx.targets
        links = refs.lookup(SOURCE, "job", (job.jnid for job in jobs))
        owners = refs.lookup(SOURCE, "customer", (j.primary.id for j in jobs if j.primary))
        local = targets.jobs(ref.local_id for ref in links.values())
        local.update((j.id, j) for j in targets.jobs_by_number(_numbers(jobs)).values())
        return cls(
            links=links,
            owners=owners,
            local=local,
            by_number={job.number: job for job in local.values()},
            properties=targets.properties_of(ref.local_id for ref in owners.values()),
            timelines=Timelines.load(ctx.db, ctx.now, (job.jnid for job in jobs), local),
            branches=BranchChooser.load(ctx.db, jobs),
        )

    def match(self, job: Job) -> tuple[ExternalRef | None, LocalJob | None]:
        """Our job for this record: through its ExternalRef, else by the shared job number."""
        ref = self.links.get(job.jnid)
        if ref is not None:
            return ref, self.local.get(ref.local_id)
        return None, self.by_number.get((job.number or "").strip())


class JobWriter:
    def __init__(
        self,
        ctx: PageContext,
        stage_of: StageLookup,
        fetch_contact: Callable[[str], Contact],
        *,
        remap: bool,
    ) -> None:
        """``remap``: derive stage, history and branch again even for a job JobNimbus did not
        change (a full resync: the maps may have changed since)."""
        self.ctx, self.stage_of, self.fetch_contact = ctx, stage_of, fetch_contact
        self.remap = remap

    def apply(self, jobs: Sequence[Job]) -> None:
        self._import_missing_contacts(jobs)
        page = JobPage.load(self.ctx, jobs)
        for job in jobs:
            with self.ctx.record("job", job.jnid):
                self._one(job, page)

    def _import_missing_contacts(self, jobs: Sequence[Job]) -> None:
        """A job's contact normally arrives first; one that did not is fetched by id."""
        wanted = {job.primary.id for job in jobs if job.primary}
        known = self.ctx.refs.lookup(SOURCE, "customer", wanted)
        missing = sorted(wanted - known.keys())
        if missing:
            ContactWriter(self.ctx).apply([self.fetch_contact(jnid) for jnid in missing])

    def _one(self, job: Job, page: JobPage) -> None:
        digest = fingerprint(job)
        ref, existing = page.match(job)
        if not self.remap and existing is not None and ref and ref.fingerprint == digest:
            self.ctx.counts.unchanged += 1
            return
        values = self._values(job, page, existing)  # every MappingError is raised here
        status = (job.status_name or "").strip()
        page.timelines.note_current_status(job.jnid, status, _status_changed_at(job))
        target = existing or self._new_job(values, job)
        changes = apply_changes(target, values)
        changed = bool(changes)
        if existing is not None and changes:
            self.ctx.note_changes(target.id, changes)
        if existing is None or changed:
            self.ctx.jobs.add(target.id)
        moved = page.timelines.apply(target, job.jnid, self.stage_of, job.date_created)
        self._count(existing is None, changed or moved)
        self._report_unmapped(job, target)
        if ref is None:
            ref = self.ctx.link("job", job.jnid, target.id)
        stamp(ref, digest, job.date_updated)

    def _values(self, job: Job, page: JobPage, existing: LocalJob | None) -> dict[str, Any]:
        owner = page.owners.get(job.primary.id) if job.primary else None
        if owner is None:
            raise MappingError("the job has no primary contact that could be synced")
        values = job_values(job)
        values["customer_id"] = owner.local_id
        values["property_id"] = self._property(job, owner.local_id, page.properties).id
        values["archived_at"] = _archived_at(job, existing)
        if existing is not None and existing.contract_source == FigureSource.MANUAL:
            # The office typed the signed price in roofops: a sync never overwrites it.
            values.pop("contract_cents")
            values.pop("contract_source")
        if (branch_id := page.branches.branch_for(job)) is not None:
            values["branch_id"] = branch_id
        return values

    def _new_job(self, values: dict[str, Any], job: Job) -> LocalJob:
        # Stage and stage date are the log's (Timelines.apply); these stand in until then.
        created = LocalJob(id=uuid.uuid4(), stage_changed_at=job.date_created, **values)
        self.ctx.db.add(created)
        return created

    def _property(
        self, job: Job, customer_id: uuid.UUID, properties: dict[uuid.UUID, list[Property]]
    ) -> Property:
        address = address_of(job)
        if address is not None:
            return property_at(self.ctx.db, customer_id, address, properties)
        known = properties.get(customer_id) or []
        if not known:
            raise MappingError("neither the job nor its contact has an address")
        return known[0]

    def _count(self, created: bool, changed: bool) -> None:
        counts = self.ctx.counts
        counts.created += created
        counts.updated += not created and changed
        counts.unchanged += not created and not changed

    def _report_unmapped(self, job: Job, target: LocalJob) -> None:
        status = target.unmapped_crm_status
        if not status:
            return
        self.ctx.warn(
            "job",
            job.jnid,
            f"status '{status}' (workflow '{job.record_type_name}') is not in the status map: "
            f"job {target.number} is in at its last known stage, flagged, until the status is "
            "mapped (Settings > Integrations > Status map, then Save and resync)",
        )


def _numbers(jobs: Sequence[Job]) -> list[str]:
    return [job.number.strip() for job in jobs if job.number and job.number.strip()]


def _status_changed_at(job: Job) -> datetime:
    return job.date_status_change or job.date_created


def _archived_at(job: Job, existing: LocalJob | None) -> datetime | None:
    """When the job was archived, as first seen: later edits of an archived job keep it."""
    if job.is_active and not job.is_archived:
        return None
    if existing is not None and existing.archived_at is not None:
        return existing.archived_at
    return job.date_updated
