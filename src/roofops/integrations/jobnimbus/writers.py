"""Apply one page of JobNimbus records to our tables, inside the page's transaction.

Each record gets a SAVEPOINT: a record that cannot be taken is rolled back alone and reported
with its reason, and the rest of the page goes on. Every record is matched through ExternalRef
(then by job number, the key shared with JobNimbus), and a record whose fingerprint did not change
costs no write, so running a page twice changes nothing the second time.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roofops.audit.service import apply_changes
from roofops.integrations.core.repository import ExternalRefRepository
from roofops.integrations.core.runs import RunCounts
from roofops.integrations.jobnimbus.mapping import (
    Address,
    MappingError,
    address_of,
    customer_values,
    fingerprint,
    job_values,
)
from roofops.integrations.jobnimbus.repository import SyncTargetRepository
from roofops.integrations.jobnimbus.schemas import Activity, Contact, Job, StatusChange
from roofops.kit.time import as_utc
from roofops.models.branch import Branch
from roofops.models.customer import Customer
from roofops.models.enums import ActorType, JobStage, Provider
from roofops.models.integration import ExternalRef
from roofops.models.job import Job as LocalJob
from roofops.models.job import JobStageEvent
from roofops.models.property import Property

SOURCE = Provider.JOBNIMBUS
# A stage event we already hold and one JobNimbus logs are the same change within this window.
SAME_CHANGE = timedelta(seconds=2)
ACTOR = "JobNimbus"

StageLookup = Callable[[str], JobStage | None]


@dataclass
class PageContext:
    """One page's transaction, with its own counts and rejects: they reach the run's totals
    only once the page committed, so a page that is redone is not counted twice."""

    db: Session
    now: datetime
    # Isolated: a SAVEPOINT per record, for a page whose one-flush attempt the database refused.
    isolated: bool = False
    counts: RunCounts = field(default_factory=RunCounts)
    rejects: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def refs(self) -> ExternalRefRepository:
        return ExternalRefRepository(self.db)

    @property
    def targets(self) -> SyncTargetRepository:
        return SyncTargetRepository(self.db)

    @contextmanager
    def record(self, record_type: str, external_id: str) -> Iterator[None]:
        """One record's writes; a bad record is noted as rejected, not raised. Every
        MappingError is raised before the record writes anything."""
        try:
            if self.isolated:
                with self.db.begin_nested():
                    yield
            else:
                yield
        except MappingError as error:
            self.reject(record_type, external_id, str(error))
        except sa.exc.DBAPIError as error:  # isolated mode only: raised by the savepoint's flush
            self.reject(record_type, external_id, f"the database refused it: {error.orig}")

    def reject(self, record_type: str, external_id: str, message: str) -> None:
        self.rejects.append((record_type, external_id, message))

    def link(self, local_type: str, external_id: str, local_id: uuid.UUID) -> ExternalRef:
        ref = ExternalRef(
            id=uuid.uuid4(),
            source=SOURCE,
            local_type=local_type,
            external_id=external_id,
            local_id=local_id,
        )
        self.db.add(ref)
        return ref


def stamp(ref: ExternalRef, digest: str, updated_at: datetime) -> None:
    ref.fingerprint, ref.external_updated_at = digest, updated_at


class ContactWriter:
    """Contacts become customers, and their address a property of that customer."""

    def __init__(self, ctx: PageContext) -> None:
        self.ctx = ctx

    def apply(self, contacts: Sequence[Contact]) -> None:
        links = self.ctx.refs.lookup(SOURCE, "customer", (c.jnid for c in contacts))
        customers = self.ctx.targets.customers(ref.local_id for ref in links.values())
        properties = self.ctx.targets.properties_of(customers)
        for contact in contacts:
            with self.ctx.record("contact", contact.jnid):
                self._one(contact, links.get(contact.jnid), customers, properties)

    def _one(
        self,
        contact: Contact,
        ref: ExternalRef | None,
        customers: Mapping[uuid.UUID, Customer],
        properties: dict[uuid.UUID, list[Property]],
    ) -> None:
        counts, digest = self.ctx.counts, fingerprint(contact)
        if ref is not None and ref.fingerprint == digest:
            counts.unchanged += 1
            return
        values = customer_values(contact)
        customer = customers.get(ref.local_id) if ref else None
        if customer is None:
            customer = Customer(id=uuid.uuid4(), **values)
            self.ctx.db.add(customer)
            counts.created += 1
        else:
            apply_changes(customer, values)
            counts.updated += 1
        if ref is None:
            ref = self.ctx.link("customer", contact.jnid, customer.id)
        if (address := address_of(contact)) is not None:
            property_at(self.ctx.db, customer.id, address, properties)
        stamp(ref, digest, contact.date_updated)


def property_at(
    db: Session, customer_id: uuid.UUID, address: Address, known: dict[uuid.UUID, list[Property]]
) -> Property:
    """The customer's property at this address (updated with the CRM's coordinates) or a new one."""
    for candidate in known.setdefault(customer_id, []):
        if _address_key(candidate) == address.key:
            if address.latitude is not None:
                candidate.latitude, candidate.longitude = address.latitude, address.longitude
            return candidate
    created = Property(
        id=uuid.uuid4(),
        customer_id=customer_id,
        address_line1=address.line1,
        address_line2=address.line2,
        city=address.city,
        state=address.state,
        postal_code=address.postal_code,
        latitude=address.latitude,
        longitude=address.longitude,
    )
    db.add(created)
    known[customer_id].append(created)
    return created


def _address_key(prop: Property) -> tuple[str, str]:
    return (" ".join(prop.address_line1.casefold().split()), prop.postal_code.strip()[:5])


@dataclass
class JobPage:
    """What one page of jobs touches, loaded in a handful of queries."""

    links: dict[str, ExternalRef]
    owners: dict[str, ExternalRef]
    local: dict[uuid.UUID, LocalJob]
    by_number: dict[str, LocalJob]
    properties: dict[uuid.UUID, list[Property]]
    events: dict[uuid.UUID, list[JobStageEvent]]
    branches: dict[str, Branch]

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
            events=targets.stage_events_of(local),
            branches=targets.branches_by_name(),
        )

    def match(self, job: Job) -> tuple[ExternalRef | None, LocalJob | None]:
        """Our job for this record: through its ExternalRef, else by the shared job number."""
        ref = self.links.get(job.jnid)
        if ref is not None:
            return ref, self.local.get(ref.local_id)
        return None, self.by_number.get((job.number or "").strip())


class JobWriter:
    """Jobs with their customer, property, branch and current stage."""

    def __init__(
        self,
        ctx: PageContext,
        stage_of: StageLookup,
        fetch_contact: Callable[[str], Contact],
    ) -> None:
        self.ctx, self.stage_of, self.fetch_contact = ctx, stage_of, fetch_contact

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
        counts, digest = self.ctx.counts, fingerprint(job)
        ref, existing = page.match(job)
        if ref is not None and existing is not None and ref.fingerprint == digest:
            counts.unchanged += 1
            return
        owner = page.owners.get(job.primary.id) if job.primary else None
        if owner is None:
            raise MappingError("the job has no primary contact that could be synced")
        values = job_values(job)
        values["customer_id"] = owner.local_id
        values["property_id"] = self._property(job, owner.local_id, page.properties).id
        values["branch_id"] = _branch_id(job, page.branches)
        values["archived_at"] = job.date_updated if not job.is_active or job.is_archived else None
        stage = self._stage(job, existing)
        target = existing or self._new_job(values, stage, job)
        apply_changes(target, values)
        counts.created += existing is None
        counts.updated += existing is not None
        self._move_stage(target, stage, job, page.events.setdefault(target.id, []))
        if ref is None:
            ref = self.ctx.link("job", job.jnid, target.id)
        # A job whose status we could not map is read again by the next run, not skipped.
        stamp(ref, digest if stage is not None else "", job.date_updated)

    def _stage(self, job: Job, existing: LocalJob | None) -> JobStage | None:
        """The mapped stage; an unknown status is reported, and a job we do not have yet waits
        for the mapping (a full resync after mapping it imports the job)."""
        status = (job.status_name or "").strip()
        stage = self.stage_of(status) if status else None
        if stage is not None:
            return stage
        message = f"status '{status}' (workflow '{job.record_type_name}') is not mapped to a stage"
        if existing is None:
            raise MappingError(f"{message}: map it in Settings > Integrations, then run a resync")
        self.ctx.reject("job", job.jnid, f"{message}; the job keeps its stage")
        return None

    def _new_job(self, values: dict[str, object], stage: JobStage | None, job: Job) -> LocalJob:
        assert stage is not None, "a new job always has a mapped stage (see _stage)"
        created = LocalJob(
            id=uuid.uuid4(), stage=stage, stage_changed_at=_status_changed_at(job), **values
        )
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

    def _move_stage(
        self, target: LocalJob, stage: JobStage | None, job: Job, events: list[JobStageEvent]
    ) -> None:
        if stage is None:
            return
        when = _status_changed_at(job)
        if not events or target.stage != stage:
            previous = events[-1].to_stage if events else None
            target.stage, target.stage_changed_at = stage, when
            record_change(
                self.ctx,
                events,
                job_id=target.id,
                source=previous,
                target=stage,
                when=when,
                note=job.status_name,
            )


def _numbers(jobs: Sequence[Job]) -> list[str]:
    return [job.number.strip() for job in jobs if job.number and job.number.strip()]


def _branch_id(job: Job, branches: Mapping[str, Branch]) -> uuid.UUID | None:
    """JobNimbus ``location`` is the office a job belongs to: our branch of the same name."""
    location = job.extra.get("location")
    name = location.get("name") if isinstance(location, dict) else None
    branch = branches.get(str(name).casefold()) if name else None
    return branch.id if branch else None


def _status_changed_at(job: Job) -> datetime:
    return job.date_status_change or job.date_created


def record_change(
    ctx: PageContext,
    events: list[JobStageEvent],
    *,
    job_id: uuid.UUID,
    source: JobStage | None,
    target: JobStage,
    when: datetime,
    note: str | None,
    actor: str = ACTOR,
) -> JobStageEvent:
    """The stage event for this change: the one we hold within a second or two, or a new one."""
    for event in events:
        if event.to_stage == target and abs(as_utc(event.occurred_at) - when) <= SAME_CHANGE:
            event.from_stage = event.from_stage or source
            return event
    event = JobStageEvent(
        id=uuid.uuid4(),
        job_id=job_id,
        from_stage=source,
        to_stage=target,
        occurred_at=when,
        recorded_at=ctx.now,
        actor_type=ActorType.SYNC,
        actor_label=actor[:200],
        reason=f"JobNimbus status: {note}" if note else "",
    )
    ctx.db.add(event)
    events.append(event)
    events.sort(key=lambda item: as_utc(item.occurred_at))
    return event


class HistoryWriter:
    """Status-change activities become stage events with their real dates."""

    def __init__(
        self, ctx: PageContext, stage_of: StageLookup, status_names: Mapping[int, str]
    ) -> None:
        self.ctx, self.stage_of, self.status_names = ctx, stage_of, status_names

    def apply(self, activities: Sequence[Activity]) -> None:
        changes = {a.jnid: a.status_change(self.status_names) for a in activities}
        relevant = [a for a in activities if changes[a.jnid] is not None]
        self.ctx.counts.unchanged += len(activities) - len(relevant)
        links = self.ctx.refs.lookup(SOURCE, "job_stage_event", (a.jnid for a in relevant))
        jobs = self.ctx.refs.lookup(SOURCE, "job", (c.job_jnid for c in changes.values() if c))
        events = self.ctx.targets.stage_events_of(ref.local_id for ref in jobs.values())
        for activity in relevant:
            change = changes[activity.jnid]
            assert change is not None
            if activity.jnid in links:
                self.ctx.counts.unchanged += 1
                continue
            with self.ctx.record("activity", activity.jnid):
                self._one(activity, change, jobs.get(change.job_jnid), events)

    def _one(
        self,
        activity: Activity,
        change: StatusChange,
        job: ExternalRef | None,
        events: dict[uuid.UUID, list[JobStageEvent]],
    ) -> None:
        if job is None:
            raise MappingError(
                f"waits for job {change.job_jnid}, which is not synced (see that job's error)"
            )
        target = self.stage_of(change.to_status)
        if target is None:
            raise MappingError(f"status '{change.to_status}' is not mapped to a stage")
        source = self.stage_of(change.from_status) if change.from_status else None
        counts = self.ctx.counts
        if source == target:  # two CRM statuses inside one of our stages: no stage change
            self.ctx.link("job_stage_event", activity.jnid, job.local_id)
            counts.unchanged += 1
            return
        before = len(events.setdefault(job.local_id, []))
        actor = f"{ACTOR} · {activity.created_by_name}" if activity.created_by_name else ACTOR
        event = record_change(
            self.ctx,
            events[job.local_id],
            job_id=job.local_id,
            source=source,
            target=target,
            when=change.occurred_at,
            note=f"{change.from_status or '—'} → {change.to_status}",
            actor=actor,
        )
        self.ctx.link("job_stage_event", activity.jnid, event.id)
        counts.created += len(events[job.local_id]) > before
        counts.unchanged += len(events[job.local_id]) == before
