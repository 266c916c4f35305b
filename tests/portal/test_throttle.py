"""The portal's rate limits: counted in the database per key, refused with a wait, keyed by
hashes, pruned as they age out."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine
from sqlalchemy.orm import Session

from roofops.config import get_settings
from roofops.exceptions import TooManyRequests
from roofops.kit.time import utcnow
from roofops.models import PortalAction, PortalRateHit
from roofops.portal.throttle import HOUR, Limit, portal_throttle

LINK = PortalAction.LINK_REQUEST


def hits(db: Session) -> list[PortalRateHit]:
    return list(db.scalars(sa.select(PortalRateHit)))


def test_the_fourth_link_request_for_an_email_within_the_hour_waits(db: Session) -> None:
    start = utcnow()
    keys = {"email": "pat@example.com", "address": "203.0.113.9"}
    for _ in range(3):
        portal_throttle.hit(db, LINK, keys)

    with time_machine.travel(start + timedelta(minutes=20), tick=False):
        with pytest.raises(TooManyRequests) as limited:
            portal_throttle.hit(db, LINK, keys)
        portal_throttle.hit(db, LINK, {**keys, "email": "other@example.com"})
    assert limited.value.status_code == 429
    assert 39 * 60 <= limited.value.retry_after_seconds <= 40 * 60 + 1

    with time_machine.travel(start + HOUR + timedelta(seconds=5), tick=False):
        portal_throttle.hit(db, LINK, keys)  # the first hits aged out


def test_one_client_address_is_limited_across_emails(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "portal_link_requests_per_address_hour", 2)
    portal_throttle.hit(db, LINK, {"email": "a@example.com", "address": "198.51.100.1"})
    portal_throttle.hit(db, LINK, {"email": "b@example.com", "address": "198.51.100.1"})

    with pytest.raises(TooManyRequests):
        portal_throttle.hit(db, LINK, {"email": "c@example.com", "address": "198.51.100.1"})
    portal_throttle.hit(db, LINK, {"email": "c@example.com", "address": "198.51.100.2"})


def test_messages_are_limited_per_customer_per_hour_and_per_day(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = get_settings()
    monkeypatch.setattr(settings, "portal_messages_per_hour", 2)
    monkeypatch.setattr(settings, "portal_messages_per_day", 3)
    customer = {"customer": str(uuid.uuid4())}
    start = utcnow()
    portal_throttle.hit(db, PortalAction.MESSAGE, customer)
    portal_throttle.hit(db, PortalAction.MESSAGE, customer)
    with pytest.raises(TooManyRequests, match="several messages"):
        portal_throttle.hit(db, PortalAction.MESSAGE, customer)

    with time_machine.travel(start + timedelta(hours=2), tick=False):
        portal_throttle.hit(db, PortalAction.MESSAGE, customer)
        with pytest.raises(TooManyRequests) as daily:
            portal_throttle.hit(db, PortalAction.MESSAGE, customer)
    assert daily.value.retry_after_seconds > 20 * 3600
    portal_throttle.hit(db, PortalAction.MESSAGE, {"customer": str(uuid.uuid4())})


def test_keys_are_stored_as_hashes_and_old_hits_are_pruned(db: Session) -> None:
    with time_machine.travel(utcnow() - timedelta(hours=2), tick=False):
        portal_throttle.hit(db, LINK, {"email": "old@example.com", "address": "192.0.2.1"})
    portal_throttle.check_and_count(
        db, LINK, {"email": "pat@example.com"}, [Limit("email", 5, HOUR)]
    )

    stored = [hit.key for hit in hits(db)]
    assert len(stored) == 1  # the hour-old pair of hits was pruned
    assert stored[0].startswith("email:")
    assert "pat@example.com" not in stored[0]
    assert len(stored[0]) == len("email:") + 64
