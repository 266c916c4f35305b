"""Xero webhooks: the signature and the payload (spec digest section 2.7), pure functions.

``x-xero-signature`` is ``base64(HMAC-SHA256(webhook key, raw body))``: verify the raw bytes
before parsing. A receiver answers 200 with no body to a good signature and 401 to a bad one;
Xero's intent-to-receive check sends both before the subscription goes live. Events are thin
(a resource id and what happened): read the resource afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from roofops.exceptions import RoofOpsError
from roofops.integrations.core.signatures import hmac_sha256_base64, valid_hmac_sha256_base64
from roofops.kit.untrusted_json import load_untrusted_json

SIGNATURE_HEADER = "x-xero-signature"
MAX_BODY_BYTES = 1024 * 1024


class WebhookPayloadError(RoofOpsError):
    """The body is not a Xero webhook payload we can read."""

    status_code = 400
    code = "xero_webhook_payload_invalid"


@dataclass(frozen=True)
class WebhookEvent:
    tenant_id: str
    category: str  # INVOICE, CONTACT, CREDITNOTE, SUBSCRIPTION
    event_type: str  # CREATE, UPDATE
    resource_id: str
    resource_url: str
    event_date_utc: str

    @property
    def key(self) -> str:
        """The inbox key: one event however often Xero redelivers it."""
        return f"{self.tenant_id}:{self.category}:{self.resource_id}:{self.event_date_utc}"


def sign(body: bytes, key: str) -> str:
    return hmac_sha256_base64(body, key)


def verify_signature(body: bytes, signature: str | None, key: str) -> bool:
    return valid_hmac_sha256_base64(body, signature, key)


def parse_events(body: bytes) -> list[WebhookEvent]:
    """The events of a verified body (an intent-to-receive request has none)."""
    try:
        payload: Any = load_untrusted_json(body, max_bytes=MAX_BODY_BYTES)
        events = payload["events"]
        return [_event(event) for event in events]
    except (ValueError, KeyError, TypeError) as exc:
        raise WebhookPayloadError("not a Xero webhook payload") from exc


def _event(event: dict[str, Any]) -> WebhookEvent:
    return WebhookEvent(
        tenant_id=str(event["tenantId"]),
        category=str(event["eventCategory"]),
        event_type=str(event["eventType"]),
        resource_id=str(event["resourceId"]),
        resource_url=str(event.get("resourceUrl", "")),
        event_date_utc=str(event["eventDateUtc"]),
    )
