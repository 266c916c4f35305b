"""QuickBooks webhooks: verified, stored once, and answered with a sync of what changed.

Intuit signs each delivery with the app's verifier token (``intuit-signature``: base64 of the
HMAC-SHA256 of the raw body). A delivery that does not verify is refused before anything is read
or stored. A verified one is kept in the inbox (a redelivery of the same change, in either
payload format, is a no-op) and one incremental sync is queued: CDC then reads exactly what
changed, so the webhook's own payload only has to say *that* something changed.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from roofops.config import Settings
from roofops.exceptions import NotAuthenticated
from roofops.integrations.core.inbox import Notice, keep_new
from roofops.integrations.core.repository import ConnectionRepository
from roofops.integrations.quickbooks.webhooks import (
    EntityChange,
    parse_notifications,
    verify_signature,
)
from roofops.logging import get_logger
from roofops.models.enums import Provider

log = get_logger(__name__)
SOURCE = Provider.QUICKBOOKS
WEBHOOK_TASK = "quickbooks.webhook"
# Entities whose change can move a job's figures.
RELEVANT = frozenset({"Invoice", "Payment", "Bill", "Purchase", "Customer", "Account", "Item"})


def receive(db: Session, settings: Settings, body: bytes, signature: str | None) -> int:
    """Stores the delivery's new events and queues one refresh; returns how many were new."""
    token = settings.qb_webhook_verifier_token
    if token is None or not verify_signature(body, signature, token.get_secret_value()):
        log.warning("quickbooks.webhook.refused", configured=token is not None)
        raise NotAuthenticated("the intuit-signature of this delivery does not verify")
    changes = [change for change in parse_notifications(body) if _ours(db, change)]
    new = keep_new(db, SOURCE, [_notice(change) for change in changes], WEBHOOK_TASK)
    log.info("quickbooks.webhook.received", events=len(changes), new=new)
    return new


def _ours(db: Session, change: EntityChange) -> bool:
    """Relevant entities of the connected company (one app's webhooks cover every realm)."""
    connection = ConnectionRepository(db).by_provider(SOURCE)
    realm = connection.account_id if connection else ""
    return change.entity in RELEVANT and (not realm or change.realm_id == realm)


def _notice(change: EntityChange) -> Notice:
    return Notice(
        change.event_id,
        {
            "realm_id": change.realm_id,
            "entity": change.entity,
            "id": change.id,
            "operation": change.operation,
            "last_updated": change.last_updated.isoformat(),
        },
    )
