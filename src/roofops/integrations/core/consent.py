"""The one-time ``state`` that ties an OAuth callback to the consent we started, for every
vendor: kept hashed on the connection row, per admin, for 15 minutes, a few at a time (a few
tabs or admins at once, not an unbounded list). A callback uses its state up, matched or not.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from roofops.audit.service import audit_service
from roofops.auth.principal import Principal
from roofops.db import after_commit
from roofops.kit.crypto import random_token, sha256_hex
from roofops.kit.http import VendorError
from roofops.logging import get_logger
from roofops.models.integration import IntegrationConnection

log = get_logger(__name__)

STATE_LIFETIME = timedelta(minutes=15)
MAX_PENDING_STATES = 5
STATES_OPTION = "oauth_states"


def mint_state(connection: IntegrationConnection, principal: Principal, now: datetime) -> str:
    """A fresh state for this admin's consent, kept (hashed) beside the few still pending."""
    state = random_token()
    fresh = {
        "hash": sha256_hex(state),
        "user": str(principal.user_id or ""),
        "expires_at": (now + STATE_LIFETIME).isoformat(),
    }
    kept = _pending(connection, now)[-(MAX_PENDING_STATES - 1) :]
    connection.options = {**connection.options, STATES_OPTION: [*kept, fresh]}
    return state


def take_state(
    connection: IntegrationConnection, state: str, principal: Principal, now: datetime
) -> bool:
    """Use up the pending state this callback brings back; whether it was ours (the same admin,
    not expired, not used before)."""
    digest, user = sha256_hex(state), str(principal.user_id or "")
    pending = _pending(connection, now)
    match = next(
        (
            entry
            for entry in pending
            if hmac.compare_digest(str(entry["hash"]), digest) and entry["user"] == user
        ),
        None,
    )
    connection.options = {
        **connection.options,
        STATES_OPTION: [entry for entry in pending if entry is not match],
    }
    return bool(state) and match is not None


def record_disconnect(
    db: Session,
    principal: Principal,
    connection: IntegrationConnection,
    *,
    vendor: str,
    revoke: Callable[[], None] | None,
) -> None:
    """Audit a disconnect, and revoke the consent at the vendor once this transaction commits:
    no vendor call holds the database (on SQLite, its write lock), and a rolled-back disconnect
    leaves the consent intact. ``revoke`` is None when there was nothing to revoke."""
    audit_service.record(
        db,
        principal,
        action=f"{vendor}.disconnected",
        entity_type="integration",
        entity_id=connection.id,
    )
    if revoke is not None:
        after_commit(db, lambda: revoke_quietly(revoke, vendor=vendor))


def revoke_quietly(revoke: Callable[[], None], *, vendor: str) -> None:
    """Revoke a consent at the vendor, best effort: our copy of the tokens is gone either way,
    and an unused refresh token dies at the vendor on its own."""
    try:
        revoke()
    except VendorError as error:
        log.warning(f"{vendor}.token.revoke_failed", error=error.message)


def _pending(connection: IntegrationConnection, now: datetime) -> list[dict[str, Any]]:
    states: list[dict[str, Any]] = connection.options.get(STATES_OPTION, [])
    return [entry for entry in states if datetime.fromisoformat(str(entry["expires_at"])) > now]
