"""Voiding a pushed invoice through the API on an SQLite file, as `roofops serve` runs it: the
request holds SQLite's write lock for its whole unit of work, so the books' void (and what it
records on the way) must not wait for a second connection's turn."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from roofops import schema
from roofops.auth.principal import Principal
from roofops.config import Settings
from roofops.db import get_engine, session_factory
from roofops.integrations.invoicing.push import PushedInvoiceBooks
from roofops.invoice.service import invoice_service
from roofops.models import IntegrationConnection, Invoice, JobStage, Provider, Role
from roofops.models.enums import ConnectionStatus
from roofops.models.invoice import InvoiceStatus, PushStatus
from tests.factories import ApiClient, make_job
from tests.fakes import SwappableApp
from tests.integrations.invoicing.conftest import CONTRACT, JOB_NUMBER, deposit, quickbooks_books


@pytest.fixture
def file_sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    schema.upgrade(url)
    yield session_factory(url)
    get_engine(url).dispose()


def test_a_pushed_invoice_is_voided_through_the_api_without_waiting_on_sqlite(
    file_sessions: sessionmaker[Session],
    settings: Settings,
    books_server: tuple[SwappableApp, str],
    monkeypatch: pytest.MonkeyPatch,
    finance: Principal,
) -> None:
    from roofops.app import create_app

    client = TestClient(create_app(settings, file_sessions, run_background=False))
    books = quickbooks_books(books_server)
    # After the app: creating it connects the real port (composition root).
    monkeypatch.setattr(invoice_service, "books", PushedInvoiceBooks(books.service()))
    with file_sessions() as db:
        db.add(
            IntegrationConnection(provider=Provider.QUICKBOOKS, status=ConnectionStatus.CONNECTED)
        )
        job = make_job(
            db, number=JOB_NUMBER, stage=JobStage.CONTRACT_SIGNED, contract_cents=CONTRACT
        )
        invoice = deposit(db, finance, job)
    books.service().push(file_sessions, settings, invoice.id)

    started = time.monotonic()
    with file_sessions() as db:
        api = ApiClient(client, db).as_role(Role.FINANCE)
        answer = api.post(f"/api/v1/invoices/{invoice.id}/void", json={"reason": "wrong job"})
    assert answer.status_code == 200, answer.text
    assert time.monotonic() - started < 10  # not SQLite's 30-second busy timeout
    with file_sessions() as db:
        stored = db.get(Invoice, invoice.id)
        assert stored is not None
        assert (stored.status, stored.push_status) == (InvoiceStatus.VOID, PushStatus.PUSHED)
    assert books.is_voided(stored.accounting_id)
