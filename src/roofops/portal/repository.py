"""Queries of the portal's sign-in: links, sessions and rate-limit hits."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from roofops.kit.repository import Repository
from roofops.models.customer import Customer
from roofops.models.portal import PortalLink, PortalSession


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
