"""Xero webhooks: verified, each event kept once, and followed by one incremental sync.

Xero signs the raw body with the app's webhook key (``x-xero-signature``, see webhooks.py). A
delivery that does not verify is refused (401) before anything is parsed or stored; that is
also how the intent-to-receive handshake tells a real receiver from a catch-all. A verified
delivery's INVOICE and CONTACT events of the connected organisation go into the shared inbox
(roofops.integrations.core.inbox; a redelivery is a no-op) and one sync is queued; the sync
reads what changed since its cursor, so the events only have to say *that* something did.
With Xero not connected nothing is stored or queued, and Xero still gets its 200.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from roofops.config import Settings
from roofops.exceptions import NotAuthenticated
from roofops.integrations.core.inbox import Notice, keep_new
from roofops.integrations.core.repository import ConnectionRepository
from roofops.integrations.xero.sync_service import xero_sync
from roofops.integrations.xero.tokens import PROVIDER
from roofops.integrations.xero.webhooks import WebhookEvent, parse_events, verify_signature
from roofops.logging import get_logger

log = get_logger(__name__)
WEBHOOK_TASK = "xero.webhook"
# Categories whose change can move a job's figures (a payment shows as its invoice's UPDATE).
RELEVANT = frozenset({"INVOICE", "CONTACT"})


def receive(db: Session, settings: Settings, body: bytes, signature: str | None) -> int:
    """Stores the delivery's new events and queues one sync; returns how many were new."""
    key = settings.xero_webhook_key
    if key is None or not verify_signature(body, signature, key.get_secret_value()):
        log.warning("xero.webhook.refused", configured=key is not None)
        raise NotAuthenticated("the x-xero-signature of this delivery does not verify")
    events = parse_events(body)
    tenant = _connected_tenant(db, settings)
    ours = [event for event in events if event.category in RELEVANT and event.tenant_id == tenant]
    new = keep_new(db, PROVIDER, [_notice(event) for event in ours], WEBHOOK_TASK) if ours else 0
    log.info("xero.webhook.received", events=len(events), relevant=len(ours), new=new)
    return new


def _connected_tenant(db: Session, settings: Settings) -> str | None:
    """The organisation whose events matter; None while Xero cannot be synced."""
    connection = ConnectionRepository(db).by_provider(PROVIDER)
    if xero_sync.problem_of(connection, settings) or connection is None:
        return None
    return connection.account_id


def _notice(event: WebhookEvent) -> Notice:
    return Notice(
        f"xero:{event.key}",
        {
            "tenant_id": event.tenant_id,
            "category": event.category,
            "event_type": event.event_type,
            "resource_id": event.resource_id,
            "event_date_utc": event.event_date_utc,
        },
    )
