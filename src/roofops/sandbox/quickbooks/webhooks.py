"""The fake's webhook sender: every write to a realm's books becomes a signed notification.

Delivery is explicit (tests and the demo call :meth:`WebhookSender.deliver`), so nothing fires
from a background thread behind a test's back. Undelivered events stay queued, as QuickBooks holds
later events until the first one is acknowledged.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Literal

import httpx

from roofops.integrations.quickbooks.webhooks import SIGNATURE_HEADER, sign
from roofops.sandbox.quickbooks.store import Books, Change

WebhookFormat = Literal["legacy", "cloudevents"]
EVENTS_PER_DELIVERY = 100
VERBS = {"Create": "created", "Update": "updated", "Delete": "deleted", "Void": "voided"}
_EVENT_NAMESPACE = uuid.UUID("5f0c6a52-7b0e-4a43-9d6e-2b1c5e0a9f11")


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def legacy_payload(realm_id: str, changes: Sequence[Change]) -> dict[str, Any]:
    entities = [
        {
            "id": change.entity_id,
            "operation": change.operation,
            "name": change.entity,
            "lastUpdated": _utc_text(change.at),
        }
        for change in changes
    ]
    return {
        "eventNotifications": [{"realmId": realm_id, "dataChangeEvent": {"entities": entities}}]
    }


def cloudevents_payload(
    realm_id: str, changes: Sequence[Change], first_sequence: int = 0
) -> list[dict[str, Any]]:
    return [
        {
            "specversion": "1.0",
            # Derived from the position in the change log: a redelivery repeats the same id.
            "id": str(uuid.uuid5(_EVENT_NAMESPACE, f"{realm_id}:{first_sequence + offset}")),
            "source": "intuit.fake-quickbooks",
            "type": f"qbo.{change.entity.lower()}.{VERBS.get(change.operation, 'updated')}.v1",
            "datacontenttype": "application/json",
            "time": _utc_text(change.at),
            "intuitentityid": change.entity_id,
            "intuitaccountid": realm_id,
            "data": {},
        }
        for offset, change in enumerate(changes)
    ]


def post_signed(
    url: str,
    payload: Any,
    verifier_token: str,
    *,
    transport: httpx.BaseTransport | None = None,
    timeout: float = 3.0,
) -> httpx.Response:
    """POST ``payload`` as QuickBooks does: JSON body, ``intuit-signature`` over its bytes."""
    body = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(body, verifier_token)}
    with httpx.Client(transport=transport, timeout=timeout) as client:
        return client.post(url, content=body, headers=headers)


class WebhookSender:
    """The queue of one realm's changes not yet acknowledged by the receiver."""

    def __init__(self, books: Books, realm_id: str, verifier_token: str) -> None:
        self.books = books
        self.realm_id = realm_id
        self.verifier_token = verifier_token
        self.delivered = 0

    def pending(self) -> list[Change]:
        with self.books.lock:
            return self.books.changes[self.delivered :]

    def skip_pending(self) -> None:
        """Forget what happened so far (the books were loaded, nobody subscribed yet)."""
        with self.books.lock:
            self.delivered = len(self.books.changes)

    def deliver(
        self,
        url: str,
        *,
        fmt: WebhookFormat = "cloudevents",
        transport: httpx.BaseTransport | None = None,
        retry_delays: Sequence[float] = (),
        sleep: Callable[[float], None] = time.sleep,
    ) -> list[httpx.Response]:
        """Send pending changes, up to 100 a request; stop at the first refusal.

        After a refusal, wait each of ``retry_delays`` in turn and try again (QuickBooks uses
        10 s, 20 s, 30 s, 5 min, ...); whatever is still refused stays pending.
        """
        responses: list[httpx.Response] = []
        delays = list(retry_delays)
        while batch := self.pending()[:EVENTS_PER_DELIVERY]:
            response = post_signed(
                url, self._payload(batch, fmt), self.verifier_token, transport=transport
            )
            responses.append(response)
            if response.is_success:
                self.delivered += len(batch)
            elif delays:
                sleep(delays.pop(0))
            else:
                break
        return responses

    def _payload(self, batch: list[Change], fmt: WebhookFormat) -> Any:
        if fmt == "legacy":
            return legacy_payload(self.realm_id, batch)
        return cloudevents_payload(self.realm_id, batch, self.delivered)
