"""Portal sessions: opened by a magic link (roofops.portal.links), read on every portal request."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from roofops.config import get_settings
from roofops.kit.crypto import random_token, sha256_hex
from roofops.kit.time import utcnow
from roofops.models.portal import PortalSession
from roofops.portal.repository import PortalSessionRepository
from roofops.portal.visitor import PortalVisitor


@dataclass(frozen=True)
class OpenedPortalSession:
    raw_token: str  # for the cookie; never stored
    session: PortalSession


class PortalSessions:
    def open(
        self, db: Session, customer_id: uuid.UUID, *, link_id: uuid.UUID | None = None
    ) -> OpenedPortalSession:
        raw = random_token()
        now = utcnow()
        session = PortalSessionRepository(db).add(
            PortalSession(
                customer_id=customer_id,
                link_id=link_id,
                token_hash=sha256_hex(raw),
                csrf_token=random_token(24),
                created_at=now,
                expires_at=now + timedelta(days=get_settings().portal_session_days),
            )
        )
        return OpenedPortalSession(raw_token=raw, session=session)

    def visitor(self, db: Session, raw_token: str) -> PortalVisitor | None:
        found = PortalSessionRepository(db).live_by_token_hash(sha256_hex(raw_token), utcnow())
        if found is None:
            return None
        session, customer = found
        return PortalVisitor(
            customer_id=customer.id,
            session_id=session.id,
            csrf_token=session.csrf_token,
            display_name=customer.display_name,
            email=customer.email,
        )

    def sign_out(self, db: Session, session_id: uuid.UUID) -> None:
        session = PortalSessionRepository(db).get(session_id)
        if session is not None and session.revoked_at is None:
            session.revoked_at = utcnow()


portal_sessions = PortalSessions()
