"""The Xero webhook receiver, driven over HTTP by the fake Xero's own sender: the intent-to-
receive handshake, a bad signature refused (401, no body), a good delivery stored once and
followed by one sync however often it arrives."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy.orm import Session, sessionmaker

from roofops.integrations.xero.tasks import refresh_after_webhook
from roofops.integrations.xero.webhooks import SIGNATURE_HEADER, sign
from roofops.models import (
    BackgroundJob,
    ConnectionStatus,
    InboxEvent,
    IntegrationConnection,
    Provider,
    SyncRun,
)
from roofops.sandbox.xero.fake import DEFAULT_WEBHOOK_KEY
from roofops.sandbox.xero.webhooks import post_signed
from tests.fakes import SwappableApp
from tests.sandbox.xero.harness import XeroHarness, add_invoices

PATH = "/api/v1/webhooks/xero"


@dataclass
class Receiver:
    """Our app with the webhook key; ``serving()`` puts it on the port the fake delivers to
    (the fake's own API is off that port meanwhile: set its books up first)."""

    app: FastAPI
    server: tuple[SwappableApp, str]

    @property
    def url(self) -> str:
        return f"{self.server[1]}{PATH}"

    @contextmanager
    def serving(self) -> Iterator[str]:
        swappable = self.server[0]
        settings = self.app.state.settings
        self.app.state.settings = settings.model_copy(
            update={"xero_webhook_key": SecretStr(DEFAULT_WEBHOOK_KEY)}
        )
        fake_app, swappable.app = swappable.app, self.app
        try:
            yield self.url
        finally:
            swappable.app = fake_app
            self.app.state.settings = settings


@pytest.fixture
def receiver(app: FastAPI, xero: XeroHarness, server: tuple[SwappableApp, str]) -> Receiver:
    return Receiver(app, server)


def connect(db: Session, xero: XeroHarness) -> None:
    connection = IntegrationConnection(provider=Provider.XERO, status=ConnectionStatus.CONNECTED)
    connection.account_id, connection.account_name = xero.roofing.tenant_id, "Summit Roofing"
    db.add(connection)
    db.commit()


def stored(db: Session) -> int:
    count = sa.select(sa.func.count()).where(InboxEvent.source == Provider.XERO)
    return db.scalar(count) or 0


def queued(db: Session) -> int:
    if db.get_bind().dialect.name == "postgresql":
        statement = sa.text("SELECT count(*) FROM procrastinate_jobs WHERE task_name = :name")
        return int(db.scalar(statement, {"name": "xero.webhook"}) or 0)
    count = sa.select(sa.func.count()).where(BackgroundJob.task_name == "xero.webhook")
    return db.scalar(count) or 0


def pending_payload(xero: XeroHarness) -> dict[str, Any]:
    events = xero.fake.webhooks.pending()
    return {"events": events, "firstEventSequence": 1, "lastEventSequence": len(events)}


def test_the_intent_to_receive_handshake_passes(receiver: Receiver, xero: XeroHarness) -> None:
    with receiver.serving() as url:
        assert xero.fake.webhooks.intent_to_receive(url) is True


def test_a_bad_signature_is_a_401_with_no_body_and_nothing_stored(
    receiver: Receiver, xero: XeroHarness, db: Session
) -> None:
    connect(db, xero)
    add_invoices(xero, 1)
    payload = pending_payload(xero)
    body = json.dumps(payload).encode()
    right = sign(body, DEFAULT_WEBHOOK_KEY)

    with receiver.serving() as url:
        forged = post_signed(url, payload, "not-the-key")
        unsigned = httpx.post(url, content=body)
        tampered = httpx.post(
            url, content=body.replace(b"INVOICE", b"CONTACT"), headers={SIGNATURE_HEADER: right}
        )
        assert (stored(db), queued(db)) == (0, 0)
        control = httpx.post(url, content=body, headers={SIGNATURE_HEADER: right})

    for refused in (forged, unsigned, tampered):
        assert (refused.status_code, refused.content) == (401, b"")
    assert (control.status_code, control.content) == (200, b"")
    assert (stored(db), queued(db)) == (2, 1)


def test_a_delivery_twice_is_stored_once_and_one_sync_follows(
    receiver: Receiver, xero: XeroHarness, db: Session, session_maker: sessionmaker[Session]
) -> None:
    connect(db, xero)
    add_invoices(xero, 1)  # a contact and its invoice: two events
    payload = pending_payload(xero)

    with receiver.serving() as url:
        first = xero.fake.webhooks.deliver(url)
        again = post_signed(url, payload, DEFAULT_WEBHOOK_KEY)  # Xero retrying

    assert first is not None
    assert (first.status_code, first.content) == (200, b"")
    assert (again.status_code, again.content) == (200, b"")
    assert "set-cookie" not in first.headers
    assert (stored(db), queued(db)) == (2, 1)

    refresh_after_webhook(session_maker)

    runs = db.scalars(sa.select(SyncRun).where(SyncRun.provider == Provider.XERO)).all()
    assert [(run.kind.value, run.triggered_by) for run in runs] == [("incremental", "Xero webhook")]
    done = sa.select(sa.func.count()).where(InboxEvent.processed_at.is_not(None))
    assert db.scalar(done) == 2


def test_events_are_refused_quietly_while_xero_is_not_connected(
    receiver: Receiver, xero: XeroHarness, db: Session
) -> None:
    add_invoices(xero, 1)

    with receiver.serving() as url:
        answer = xero.fake.webhooks.deliver(url)

    assert answer is not None
    assert (answer.status_code, answer.content) == (200, b"")
    assert (stored(db), queued(db)) == (0, 0)


def test_a_signed_but_absurd_body_is_refused_before_anything_is_stored(
    receiver: Receiver, xero: XeroHarness, db: Session
) -> None:
    """Bounded like the QuickBooks receiver: nesting past the limit is a 400, not a crash."""
    connect(db, xero)
    deep = b'{"events": ' + b"[" * 200 + b"]" * 200 + b"}"

    with receiver.serving() as url:
        answer = httpx.post(
            url, content=deep, headers={SIGNATURE_HEADER: sign(deep, DEFAULT_WEBHOOK_KEY)}
        )

    assert answer.status_code == 400
    assert (stored(db), queued(db)) == (0, 0)
