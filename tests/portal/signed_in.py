"""Sign a test client in to the customer portal as one customer (the magic link itself is
tested in tests/portal/test_links.py; this skips it for tests about what a session sees)."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from roofops.portal.dependencies import PORTAL_COOKIE
from roofops.portal.sessions import portal_sessions


def sign_in_to_portal(client: TestClient, db: Session, customer_id: uuid.UUID) -> str:
    """Sets the portal cookie on ``client``; returns the session's CSRF token for forms."""
    opened = portal_sessions.open(db, customer_id)
    db.commit()
    client.cookies.set(PORTAL_COOKIE, opened.raw_token)
    return opened.session.csrf_token
