"""The webhook receiver: signatures checked before anything is stored; redelivery is a no-op."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy.orm import Session

from roofops.integrations.quickbooks.webhooks import sign
from roofops.models import BackgroundJob, InboxEvent
from roofops.sandbox.quickbooks.fake import DEFAULT_VERIFIER_TOKEN
from roofops.sandbox.quickbooks.webhooks import cloudevents_payload, legacy_payload, post_signed
from tests.integrations.quickbooks.conftest import REALM, Harness, add_invoices

URL = "/api/v1/integrations/quickbooks/webhook"
TOKEN = "verifier-token-for-tests"


def legacy_delivery(entity_id: str) -> bytes:
    change = {
        "id": entity_id,
        "operation": "Update",
        "name": "Invoice",
        "lastUpdated": "2025-06-02T15:00:00.000Z",
    }
    notification = {"realmId": "9130", "dataChangeEvent": {"entities": [change]}}
    return json.dumps({"eventNotifications": [notification]}).encode()


@pytest.fixture
def webhooks(app: FastAPI, client: TestClient) -> Iterator[TestClient]:
    settings = app.state.settings
    app.state.settings = settings.model_copy(update={"qb_webhook_verifier_token": SecretStr(TOKEN)})
    yield client
    app.state.settings = settings


def stored(db: Session) -> int:
    return db.scalar(sa.select(sa.func.count()).select_from(InboxEvent)) or 0


def queued(db: Session) -> int:
    """Refresh tasks queued: the embedded queue's table, or procrastinate's on PostgreSQL."""
    if db.get_bind().dialect.name == "postgresql":
        statement = sa.text(
            "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'quickbooks.webhook'"
        )
        return int(db.scalar(statement) or 0)
    count = sa.select(sa.func.count()).where(BackgroundJob.task_name == "quickbooks.webhook")
    return db.scalar(count) or 0


def test_a_bad_signature_is_refused_and_nothing_changes(webhooks: TestClient, db: Session) -> None:
    body = legacy_delivery("130")
    before = (stored(db), queued(db))

    forged = webhooks.post(URL, content=body, headers={"intuit-signature": sign(body, "wrong")})
    missing = webhooks.post(URL, content=body)
    tampered = webhooks.post(
        URL, content=body.replace(b"130", b"131"), headers={"intuit-signature": sign(body, TOKEN)}
    )

    assert forged.status_code == missing.status_code == tampered.status_code == 401
    assert (stored(db), queued(db)) == before


def test_a_verified_delivery_is_stored_once_and_queues_a_refresh(
    webhooks: TestClient, db: Session
) -> None:
    body = legacy_delivery("4242")
    headers = {"intuit-signature": sign(body, TOKEN)}
    before = (stored(db), queued(db))

    first = webhooks.post(URL, content=body, headers=headers)
    again = webhooks.post(URL, content=body, headers=headers)

    assert first.json() == {"new_events": 1}
    assert again.json() == {"new_events": 0}
    assert (stored(db), queued(db)) == (before[0] + 1, before[1] + 1)


def test_both_formats_of_one_change_are_one_event_and_one_refresh(
    app: FastAPI, qbo: Harness, db: Session
) -> None:
    """Delivered over HTTP by the fake, legacy first, then the CloudEvents copy of it."""
    settings = app.state.settings
    app.state.settings = settings.model_copy(
        update={"qb_webhook_verifier_token": SecretStr(DEFAULT_VERIFIER_TOKEN)}
    )
    (invoice_id,) = add_invoices(qbo.books, 1)
    sender = qbo.fake.webhooks(REALM)
    sender.skip_pending()
    qbo.books.replace("Invoice", invoice_id, {"PrivateNote": "revised"})
    (change,) = sender.pending()
    qbo.server.app = app  # our app on the real port the fake delivers to
    before = (stored(db), queued(db))
    try:
        answers = [
            post_signed(f"{qbo.url}{URL}", payload, DEFAULT_VERIFIER_TOKEN).json()
            for payload in (
                legacy_payload(REALM, [change]),
                cloudevents_payload(REALM, [change]),
            )
        ]
    finally:
        app.state.settings = settings

    assert answers == [{"new_events": 1}, {"new_events": 0}]
    assert (stored(db), queued(db)) == (before[0] + 1, before[1] + 1)
