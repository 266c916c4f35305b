"""Queries of the portal's sign-in: links, sessions and rate-limit hits."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from roofops.kit.repository import Repository
from roofops.models.customer import Customer
from roofops.models.job import Job
from roofops.models.portal import (
    PortalAction,
    PortalLink,
    PortalLinkOrigin,
    PortalRateHit,
    PortalSession,
)
from roofops.models.user import User


class PortalSessionRepository(Repository[PortalSession]):
    model = PortalSession

    def live_by_token_hash(
        self, token_hash: str, now: datetime
    ) -> tuple[PortalSession, Customer] | None:
        """The session (with its customer) if it is neither expired nor revoked, and its link
        (if it came from one) was not revoked since."""
        link_alive = sa.or_(
            PortalSession.link_id.is_(None),
            sa.exists().where(
                PortalLink.id == PortalSession.link_id, PortalLink.revoked_at.is_(None)
            ),
        )
        statement = (
            sa.select(PortalSession, Customer)
            .join(Customer, Customer.id == PortalSession.customer_id)
            .where(
                PortalSession.token_hash == token_hash,
                PortalSession.expires_at > now,
                PortalSession.revoked_at.is_(None),
                link_alive,
            )
        )
        row = self.session.execute(statement).one_or_none()
        return None if row is None else (row[0], row[1])


@dataclass(frozen=True)
class LinkRow:
    """A link as the office lists it, with who sent it (None: the automation or the
    homeowner's own request)."""

    link: PortalLink
    created_by: str | None


class PortalLinkRepository(Repository[PortalLink]):
    model = PortalLink

    def by_token_hash(self, token_hash: str) -> PortalLink | None:
        return self.session.scalar(sa.select(PortalLink).where(PortalLink.token_hash == token_hash))

    def claim(self, link_id: uuid.UUID, now: datetime) -> bool:
        """Mark the link used if it still signs in: one conditional UPDATE, so of two
        concurrent clicks exactly one sees a row change."""
        result = self.session.execute(
            sa.update(PortalLink)
            .where(
                PortalLink.id == link_id,
                PortalLink.used_at.is_(None),
                PortalLink.revoked_at.is_(None),
                PortalLink.expires_at > now,
            )
            .values(used_at=now)
            .execution_options(synchronize_session="fetch")
        )
        return bool(getattr(result, "rowcount", 0) == 1)

    def locked(self, link_id: uuid.UUID) -> PortalLink | None:
        statement = (
            sa.select(PortalLink)
            .where(PortalLink.id == link_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return self.session.scalar(statement)

    def of_job(self, job_id: uuid.UUID) -> list[LinkRow]:
        statement = _with_sender().where(PortalLink.job_id == job_id)
        rows = self.session.execute(statement.order_by(PortalLink.created_at.desc(), PortalLink.id))
        return [LinkRow(link, by) for link, by in rows]

    def row(self, link_id: uuid.UUID) -> LinkRow | None:
        found = self.session.execute(_with_sender().where(PortalLink.id == link_id)).one_or_none()
        return None if found is None else LinkRow(found[0], found[1])

    def sent_by_automation(self, job_id: uuid.UUID) -> bool:
        statement = sa.select(PortalLink.id).where(
            PortalLink.job_id == job_id, PortalLink.origin == PortalLinkOrigin.AUTOMATION
        )
        return self.session.scalar(statement.limit(1)) is not None


def _with_sender() -> sa.Select[PortalLink, Any]:
    """Links with the name (else the e-mail) of the user who sent each."""
    sender = sa.func.coalesce(sa.func.nullif(User.full_name, ""), User.email)
    return sa.select(PortalLink, sender).outerjoin(User, User.id == PortalLink.created_by_id)


class LinkedJobRepository(Repository[Job]):
    """The jobs and customers the sign-in reads: whom a link goes to, and about what."""

    model = Job

    def with_customer(self, job_id: uuid.UUID, *, lock: bool = False) -> Job | None:
        statement = (
            sa.select(Job)
            .options(joinedload(Job.customer), joinedload(Job.property))
            .where(Job.id == job_id)
        )
        return self.session.scalar(statement.with_for_update(of=Job) if lock else statement)

    def latest_open_job_per_customer(self, email: str) -> list[Job]:
        """For each customer with this e-mail (any case), their most recently moved job that
        is not archived; customers with none are left out."""
        statement = (
            sa.select(Job)
            .join(Customer, Customer.id == Job.customer_id)
            .options(joinedload(Job.customer), joinedload(Job.property))
            .where(sa.func.lower(sa.func.trim(Customer.email)) == email, Job.archived_at.is_(None))
            .order_by(Job.customer_id, Job.stage_changed_at.desc(), Job.id)
        )
        latest: dict[uuid.UUID, Job] = {}
        for job in self.session.scalars(statement).unique():
            latest.setdefault(job.customer_id, job)
        return list(latest.values())


class PortalRateHitRepository(Repository[PortalRateHit]):
    model = PortalRateHit

    def serialize(self, action: PortalAction, key: str) -> None:
        """On PostgreSQL, one counter at a time per action and key until the transaction ends,
        so two replicas cannot both read "2 of 3" and both let a request through. SQLite
        writes one transaction at a time anyway."""
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(
                sa.text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"{action}:{key}"}
            )

    def oldest_since(
        self, action: PortalAction, key: str, since: datetime
    ) -> tuple[int, datetime | None]:
        """How many hits since ``since``, and when the oldest of them was."""
        row = self.session.execute(
            sa.select(sa.func.count(), sa.func.min(PortalRateHit.occurred_at)).where(
                PortalRateHit.action == action,
                PortalRateHit.key == key,
                PortalRateHit.occurred_at > since,
            )
        ).one()
        return int(row[0]), row[1]

    def prune(self, action: PortalAction, before: datetime) -> None:
        self.session.execute(
            sa.delete(PortalRateHit).where(
                PortalRateHit.action == action, PortalRateHit.occurred_at <= before
            )
        )
