"""The portal's rate limits, counted in the database (``portal_rate_hits``) so that every
replica sees the same count.

A request names the keys it is counted under (an e-mail, a client address, a customer); each
key's limits are checked first, and only a request within all of them is counted, under every
key. A refused request is not counted: the window frees up as its oldest hits age out.
Key values are stored as their SHA-256 (no e-mail or client address in the table).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from roofops.config import get_settings
from roofops.exceptions import TooManyRequests
from roofops.kit.crypto import sha256_hex
from roofops.kit.time import utcnow
from roofops.models.portal import PortalAction, PortalRateHit
from roofops.portal.repository import PortalRateHitRepository

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
REFUSALS: dict[PortalAction, str] = {
    PortalAction.LINK_REQUEST: "too many requests for a sign-in link; please try again later",
    PortalAction.MESSAGE: (
        "you have sent us several messages lately; we will read them and reply, and you can "
        "write again a little later"
    ),
}


@dataclass(frozen=True)
class Limit:
    key: str  # which of the request's keys it counts: "email", "address", "customer"
    most: int
    window: timedelta


def limits_of(action: PortalAction) -> tuple[Limit, ...]:
    """The configured limits of ``action`` (ROOFOPS_PORTAL_* settings)."""
    settings = get_settings()
    if action == PortalAction.LINK_REQUEST:
        return (
            Limit("email", settings.portal_link_requests_per_email_hour, HOUR),
            Limit("address", settings.portal_link_requests_per_address_hour, HOUR),
        )
    return (
        Limit("customer", settings.portal_messages_per_hour, HOUR),
        Limit("customer", settings.portal_messages_per_day, DAY),
    )


class PortalThrottle:
    def hit(self, db: Session, action: PortalAction, keys: Mapping[str, str]) -> None:
        """Count one ``action`` under ``keys`` against its configured limits, e.g.
        ``portal_throttle.hit(db, PortalAction.MESSAGE, {"customer": str(customer_id)})``;
        429 (TooManyRequests, with retry_after_seconds) when one is reached."""
        self.check_and_count(db, action, keys, limits_of(action))

    def check_and_count(
        self,
        db: Session,
        action: PortalAction,
        keys: Mapping[str, str],
        limits: Sequence[Limit],
    ) -> None:
        repository = PortalRateHitRepository(db)
        now = utcnow()
        stored = {name: f"{name}:{sha256_hex(value)}" for name, value in keys.items()}
        for key in sorted(stored.values()):  # one order, so two requests never deadlock
            repository.serialize(action, key)
        for limit in limits:
            _refuse_if_reached(repository, action, stored[limit.key], limit, now)
        for key in stored.values():
            repository.add(PortalRateHit(action=action, key=key, occurred_at=now))
        repository.prune(action, before=now - max(limit.window for limit in limits))


def _refuse_if_reached(
    repository: PortalRateHitRepository,
    action: PortalAction,
    key: str,
    limit: Limit,
    now: datetime,
) -> None:
    count, oldest = repository.oldest_since(action, key, now - limit.window)
    if count < limit.most or oldest is None:
        return
    wait = (oldest + limit.window - now).total_seconds()
    raise TooManyRequests(REFUSALS[action], retry_after_seconds=max(1, math.ceil(wait)))


portal_throttle = PortalThrottle()
