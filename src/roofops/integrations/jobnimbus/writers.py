"""Apply one page of JobNimbus records to our tables, inside the page's transaction: the
page's context, and contacts (jobs: :mod:`.job_writer`; status changes: :mod:`.history_writer`).

A record that cannot be taken is reported with its reason and the rest of the page goes on (a
page the database refuses as a whole is written again with a SAVEPOINT per record). Every record
is matched through ExternalRef (jobs then by job number, the key shared with JobNimbus), and a
record whose fingerprint did not change costs no write, so running a page twice changes nothing
the second time.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roofops.audit.service import Changes, apply_changes
from roofops.integrations.core.repository import ExternalRefRepository
from roofops.integrations.core.runs import RunCounts
from roofops.integrations.jobnimbus.mapping import (
    Address,
    MappingError,
    address_of,
    customer_values,
    fingerprint,
)
from roofops.integrations.jobnimbus.repository import SyncTargetRepository
from roofops.integrations.jobnimbus.schemas import Contact
from roofops.models.customer import Customer
from roofops.models.enums import Provider
from roofops.models.integration import ExternalRef
from roofops.models.property import Property

SOURCE = Provider.JOBNIMBUS
Problem = tuple[str, str, str]  # record type, JobNimbus id, what is wrong


@dataclass
class PageContext:
    """One page's transaction, with its own counts and rejects: they reach the run's totals
    only once the page committed, so a page that is redone is not counted twice."""

    db: Session
    now: datetime
    # Isolated: a SAVEPOINT per record, for a page whose one-flush attempt the database refused.
    isolated: bool = False
    counts: RunCounts = field(default_factory=RunCounts)
    # Records not taken, and records taken with something for a person to fix.
    rejects: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    # Jobs created or changed: their money (contract amount, estimate) follows in this page.
    jobs: set[uuid.UUID] = field(default_factory=set)
    # What this page changed on jobs we already had, for their activity feeds (one entry each).
    job_changes: dict[uuid.UUID, Changes] = field(default_factory=dict)

    def note_changes(self, job_id: uuid.UUID, changes: Changes) -> None:
        """Several writes to one job in a page: the first old value and the last new one."""
        merged = self.job_changes.setdefault(job_id, {})
        for name, values in changes.items():
            merged[name] = {"old": merged.get(name, values)["old"], "new": values["new"]}

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
        noted = {job: dict(c) for job, c in self.job_changes.items()} if self.isolated else {}
        try:
            if self.isolated:
                with self.db.begin_nested():
                    yield
            else:
                yield
        except MappingError as error:
            self.reject(record_type, external_id, str(error))
        except sa.exc.DBAPIError as error:  # isolated mode only: raised by the savepoint's flush
            self.job_changes = noted  # the savepoint took the record's changes back
            self.reject(record_type, external_id, f"the database refused it: {error.orig}")

    def reject(self, record_type: str, external_id: str, message: str) -> None:
        self.rejects.append((record_type, external_id, message))

    def warn(self, record_type: str, external_id: str, message: str) -> None:
        self.warnings.append((record_type, external_id, message))

    def refused(self, record_type: str) -> set[str]:
        """The ids of this page's records of that type that were not taken."""
        return {external_id for kind, external_id, _ in self.rejects if kind == record_type}

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
