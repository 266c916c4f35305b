"""QuickBooks webhooks: signature check and payload parsing, pure functions (spec section 1.8).

Two payload formats reach the same URL: the legacy ``eventNotifications`` object and, after the
per-app switch, a JSON array of CloudEvents. Both are signed the same way: ``intuit-signature``
is ``base64(HMAC-SHA256(verifier_token, raw body))``, so verify on the raw bytes before parsing.
Both parse to the same :class:`EntityChange`, whose key does not depend on the format: the two
copies of one change (around the switch) are one event.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from roofops.exceptions import RoofOpsError
from roofops.integrations.core.signatures import hmac_sha256_base64, valid_hmac_sha256_base64
from roofops.kit.time import as_utc
from roofops.kit.untrusted_json import load_untrusted_json

SIGNATURE_HEADER = "intuit-signature"
# CloudEvents name entities in lower case; the API names them in PascalCase.
_API_NAMES = (
    "Account Bill BillPayment Class CreditMemo Customer Deposit Employee Estimate Invoice "
    "Item JournalEntry Payment PaymentMethod Purchase PurchaseOrder RefundReceipt "
    "SalesReceipt TaxAgency Term TimeActivity Transfer Vendor VendorCredit"
)
ENTITY_NAMES = {name.lower(): name for name in _API_NAMES.split()}
CLOUD_VERBS = {
    "created": "Create",
    "updated": "Update",
    "deleted": "Delete",
    "merged": "Merge",
    "voided": "Void",
    "emailed": "Emailed",
}


class WebhookPayloadError(RoofOpsError):
    """The body is not a QuickBooks notification we can read."""

    status_code = 400
    code = "webhook_payload_invalid"


@dataclass(frozen=True)
class EntityChange:
    """One changed entity, however it was delivered."""

    realm_id: str
    entity: str
    id: str
    operation: str
    last_updated: datetime
    deleted_id: str | None = None

    @property
    def event_id(self) -> str:
        """The inbox's dedupe key: the change itself (realm, entity, id, operation and moment,
        to the millisecond in UTC), so a legacy and a CloudEvents copy of it are one event and
        a redelivery of either is a no-op. The CloudEvents ``id`` is left out: the legacy
        format has none to match it."""
        moment = as_utc(self.last_updated).isoformat(timespec="milliseconds")
        parts = (self.realm_id, self.entity.casefold(), self.id, self.operation.casefold(), moment)
        return f"qbo:{hashlib.sha256('|'.join(parts).encode()).hexdigest()[:40]}"


def sign(body: bytes, verifier_token: str) -> str:
    return hmac_sha256_base64(body, verifier_token)


def verify_signature(body: bytes, signature: str | None, verifier_token: str) -> bool:
    """True when ``signature`` is the HMAC of exactly these bytes; compared in constant time."""
    return valid_hmac_sha256_base64(body, signature, verifier_token)


def parse_notifications(body: bytes | str) -> list[EntityChange]:
    """Entity changes from either payload format, in the order they were sent."""
    try:
        payload = load_untrusted_json(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise WebhookPayloadError("webhook body is not JSON") from exc
    try:
        if isinstance(payload, list):
            return [_cloud_event(event) for event in payload]
        if isinstance(payload, dict) and "eventNotifications" in payload:
            return _legacy(payload["eventNotifications"])
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise WebhookPayloadError(f"webhook payload is malformed: {exc}") from exc
    raise WebhookPayloadError("webhook body is neither CloudEvents nor eventNotifications")


def _cloud_event(event: dict[str, Any]) -> EntityChange:
    # type is qbo.<entity>.<verb-past-tense>.v1
    _, entity, verb, _version = str(event["type"]).split(".")
    return EntityChange(
        realm_id=str(event["intuitaccountid"]),
        entity=ENTITY_NAMES.get(entity.lower(), entity[:1].upper() + entity[1:]),
        id=str(event["intuitentityid"]),
        operation=CLOUD_VERBS.get(verb, verb.capitalize()),
        last_updated=_moment(event["time"]),
        deleted_id=_optional(event.get("data") or {}, "deletedId"),
    )


def _legacy(notifications: list[dict[str, Any]]) -> list[EntityChange]:
    changes = []
    for notification in notifications:
        realm_id = str(notification["realmId"])
        for entity in notification["dataChangeEvent"]["entities"]:
            changes.append(_legacy_change(realm_id, entity))
    return changes


def _legacy_change(realm_id: str, entity: dict[str, Any]) -> EntityChange:
    return EntityChange(
        realm_id=realm_id,
        entity=str(entity["name"]),
        id=str(entity["id"]),
        operation=str(entity["operation"]),
        last_updated=_moment(entity["lastUpdated"]),
        deleted_id=_optional(entity, "deletedId"),
    )


def _optional(source: dict[str, Any], key: str) -> str | None:
    value = source.get(key)
    return None if value in (None, "") else str(value)


def _moment(text: Any) -> datetime:
    return as_utc(datetime.fromisoformat(str(text).replace("Z", "+00:00")))
