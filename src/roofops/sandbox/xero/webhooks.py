"""The fake's webhooks (spec digest section 2.7): every save of a contact, invoice or credit
note becomes an event (a payment shows as its invoice's UPDATE), delivered signed with
``x-xero-signature``; and the intent-to-receive check a subscription starts with.

Delivery is explicit (tests and the demo call :meth:`WebhookSender.deliver`), so nothing fires
from a background thread behind a test's back. Undelivered events stay queued until a delivery
is answered 200.
"""

from __future__ import annotations

import json
import secrets
import string
from collections.abc import Iterable
from typing import Any

import httpx

from roofops.integrations.xero.webhooks import SIGNATURE_HEADER, sign
from roofops.sandbox.xero.store import Books, Change

CATEGORIES = {"Contacts": "CONTACT", "Invoices": "INVOICE", "CreditNotes": "CREDITNOTE"}
RESOURCE_URL = "https://api.xero.com/api.xro/2.0/{resource}/{id}"
ITR_ROUNDS = 2


def _entropy() -> str:
    return "".join(secrets.choice(string.ascii_uppercase) for _ in range(20))


def _event(books: Books, change: Change) -> dict[str, Any]:
    return {
        "resourceUrl": RESOURCE_URL.format(resource=change.resource, id=change.record_id),
        "resourceId": change.record_id,
        "eventDateUtc": change.at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3],
        "eventType": change.event,
        "eventCategory": CATEGORIES[change.resource],
        "tenantId": books.tenant_id,
        "tenantType": "ORGANISATION",
    }


def post_signed(
    url: str,
    payload: dict[str, Any],
    key: str,
    *,
    transport: httpx.BaseTransport | None = None,
    timeout: float = 5.0,
) -> httpx.Response:
    body = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(body, key)}
    with httpx.Client(transport=transport, timeout=timeout) as client:
        return client.post(url, content=body, headers=headers)


class WebhookSender:
    """One app's webhook subscription over every organisation the fake holds."""

    def __init__(self, organisations: Iterable[Books], signing_key: str) -> None:
        self.organisations = list(organisations)
        self.signing_key = signing_key
        self.sequence = 0
        self._delivered = {books.tenant_id: len(books.changes) for books in self.organisations}

    def watch(self, books: Books) -> None:
        """Another organisation; what it held before is not news."""
        self.organisations.append(books)
        self._delivered[books.tenant_id] = len(books.changes)

    def pending(self) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        for books in self.organisations:
            with books.lock:
                changes = books.changes[self._delivered[books.tenant_id] :]
            # No Payment category: a payment is news as the UPDATE of the invoice it settles.
            events.extend(
                _event(books, change) for change in changes if change.resource in CATEGORIES
            )
        return events

    def deliver(
        self, url: str, *, transport: httpx.BaseTransport | None = None
    ) -> httpx.Response | None:
        """Send what is pending in one signed request; None when nothing is."""
        marks = {books.tenant_id: len(books.changes) for books in self.organisations}
        events = self.pending()
        if not events:
            return None
        first = self.sequence + 1
        payload = {
            "events": events,
            "firstEventSequence": first,
            "lastEventSequence": first + len(events) - 1,
            "entropy": _entropy(),
        }
        response = post_signed(url, payload, self.signing_key, transport=transport)
        if response.status_code == 200:
            self.sequence += len(events)
            self._delivered.update(marks)
        return response

    def intent_to_receive(self, url: str, *, transport: httpx.BaseTransport | None = None) -> bool:
        """Xero's check before it sends anything: correctly signed empty lists must get 200
        with no body, wrongly signed ones 401."""
        for _ in range(ITR_ROUNDS):
            payload = {
                "events": [],
                "firstEventSequence": 0,
                "lastEventSequence": 0,
                "entropy": _entropy(),
            }
            good = post_signed(url, payload, self.signing_key, transport=transport)
            bad = post_signed(url, payload, _entropy(), transport=transport)
            if good.status_code != 200 or good.content or bad.status_code != 401:
                return False
        return True
