"""Webhook signatures and payloads, as the fake sends them in both formats."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI, Request, Response

from roofops.integrations.quickbooks.webhooks import (
    SIGNATURE_HEADER,
    WebhookPayloadError,
    parse_notifications,
    sign,
    verify_signature,
)
from roofops.sandbox.quickbooks.fake import DEFAULT_VERIFIER_TOKEN
from roofops.sandbox.quickbooks.webhooks import (
    WebhookFormat,
    cloudevents_payload,
    legacy_payload,
)
from tests.integrations.quickbooks.conftest import REALM, START, Harness, add_invoices

FORMATS: tuple[WebhookFormat, ...] = ("legacy", "cloudevents")


class Captured:
    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.requests: list[httpx.Request] = []

    def transport(self) -> httpx.MockTransport:
        def answer(request: httpx.Request) -> httpx.Response:
            self.requests.append(request)
            return httpx.Response(self.status)

        return httpx.MockTransport(answer)


def _four_changes(qbo: Harness) -> list[str]:
    """A create, an update, a void and a delete, five minutes after START; their Ids."""
    first, second, third = add_invoices(qbo.books, 3)
    qbo.fake.webhooks(REALM).skip_pending()
    qbo.clock.advance(timedelta(minutes=5))
    customer = qbo.books.add("Customer", {"DisplayName": "New Customer"})
    qbo.books.replace("Invoice", first, {"PrivateNote": "revised"})
    qbo.books.void_invoice(second)
    qbo.books.delete("Invoice", third)
    return [customer["Id"], first, second, third]


@pytest.mark.parametrize("fmt", FORMATS)
def test_signatures_verify_only_the_exact_body_and_token(qbo: Harness, fmt: WebhookFormat) -> None:
    _four_changes(qbo)
    captured = Captured()

    qbo.fake.webhooks(REALM).deliver(
        "https://app.test/hook", fmt=fmt, transport=captured.transport()
    )

    (request,) = captured.requests
    body, signature = request.content, request.headers[SIGNATURE_HEADER]
    assert verify_signature(body, signature, DEFAULT_VERIFIER_TOKEN)
    tampered = body.replace(REALM.encode(), b"1" + REALM.encode()[1:], 1)
    assert tampered != body
    assert not verify_signature(tampered, signature, DEFAULT_VERIFIER_TOKEN)
    assert not verify_signature(body, signature, "another-verifier-token")
    assert not verify_signature(body, "not base64!", DEFAULT_VERIFIER_TOKEN)
    assert not verify_signature(body, None, DEFAULT_VERIFIER_TOKEN)


@pytest.mark.parametrize("fmt", FORMATS)
def test_both_formats_parse_to_the_same_changes(qbo: Harness, fmt: WebhookFormat) -> None:
    customer, first, second, third = _four_changes(qbo)
    captured = Captured()

    qbo.fake.webhooks(REALM).deliver(
        "https://app.test/hook", fmt=fmt, transport=captured.transport()
    )

    changes = parse_notifications(captured.requests[0].content)
    assert [(c.entity, c.id, c.operation) for c in changes] == [
        ("Customer", customer, "Create"),
        ("Invoice", first, "Update"),
        ("Invoice", second, "Void"),
        ("Invoice", third, "Delete"),
    ]
    assert {change.realm_id for change in changes} == {REALM}
    assert changes[-1].last_updated == START + timedelta(minutes=5)
    assert len({change.event_id for change in changes}) == 4


def test_a_refused_delivery_stays_pending_and_is_retried(qbo: Harness) -> None:
    _four_changes(qbo)
    sender = qbo.fake.webhooks(REALM)
    refusing, delays = Captured(status=500), list[float]()

    sender.deliver(
        "https://app.test/hook",
        transport=refusing.transport(),
        retry_delays=(10, 20),
        sleep=delays.append,
    )

    assert len(refusing.requests) == 3
    assert delays == [10, 20]
    assert len(sender.pending()) == 4
    first_ids = [event["id"] for event in json.loads(refusing.requests[0].content)]
    accepting = Captured()
    sender.deliver("https://app.test/hook", transport=accepting.transport())
    assert [event["id"] for event in json.loads(accepting.requests[0].content)] == first_ids
    assert sender.pending() == []


def test_delivery_over_http_to_a_receiver(qbo: Harness) -> None:
    received: list[tuple[bytes, str]] = []
    receiver = FastAPI()

    @receiver.post("/hook")
    async def hook(request: Request) -> Response:
        received.append((await request.body(), request.headers.get(SIGNATURE_HEADER, "")))
        return Response(status_code=200)

    _four_changes(qbo)
    qbo.server.app = receiver

    responses = qbo.fake.webhooks(REALM).deliver(f"{qbo.url}/hook", fmt="legacy")

    assert [response.status_code for response in responses] == [200]
    body, signature = received[0]
    assert verify_signature(body, signature, DEFAULT_VERIFIER_TOKEN)
    assert len(parse_notifications(body)) == 4


def test_cloudevents_fields_are_mapped() -> None:
    event = {
        "specversion": "1.0",
        "id": "88cd52aa-33b6-4351-9aa4-47572edbd068",
        "source": "intuit.dsnBgbseACLLRZNxo2dfc4evmEJdxde58xeeYcZliOU=",
        "type": "qbo.timeactivity.merged.v1",
        "time": "2025-09-10T21:31:25.179Z",
        "intuitentityid": "1234",
        "intuitaccountid": "310687",
        "data": {"deletedId": "77"},
    }
    (change,) = parse_notifications(json.dumps([event]).encode())

    assert (change.entity, change.operation, change.deleted_id) == ("TimeActivity", "Merge", "77")
    assert change.last_updated.isoformat() == "2025-09-10T21:31:25.179000+00:00"


def test_the_two_copies_of_one_change_have_one_key(qbo: Harness) -> None:
    """Around the switch to CloudEvents both formats of the same change can arrive."""
    _four_changes(qbo)
    changes = qbo.fake.webhooks(REALM).pending()

    legacy = parse_notifications(json.dumps(legacy_payload(REALM, changes)).encode())
    cloud = parse_notifications(json.dumps(cloudevents_payload(REALM, changes)).encode())

    assert [change.event_id for change in legacy] == [change.event_id for change in cloud]
    assert len({change.event_id for change in legacy}) == 4
    later = replace(legacy[0], last_updated=legacy[0].last_updated + timedelta(milliseconds=1))
    elsewhere = replace(legacy[0], realm_id="123")
    assert len({legacy[0].event_id, later.event_id, elsewhere.event_id}) == 3


@pytest.mark.parametrize(
    "body",
    [b"not json", b"{}", b'{"eventNotifications": [{"realmId": "1"}]}', b'[{"type": "qbo.x"}]'],
)
def test_unreadable_payloads_raise(body: bytes) -> None:
    with pytest.raises(WebhookPayloadError):
        parse_notifications(body)


def test_sign_matches_the_documented_recipe() -> None:
    assert sign(b'{"a":1}', "token") == "+u6DeXjkS+iRXs/nC+4xS0M2NPngOchldzKA9De8TWE="
