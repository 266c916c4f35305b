"""The books' closing date is read by every sync, so that an invoice dated inside a closed
period is refused when it is raised, before anything was ever pushed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from roofops.auth.principal import Principal
from roofops.config import Settings
from roofops.integrations.core.accounting import PeriodClosed, remembered_lock_date
from roofops.integrations.invoicing.push import PushedInvoiceBooks
from roofops.integrations.quickbooks.connection import QuickBooksConnection
from roofops.invoice.schemas import InvoiceGenerate
from roofops.invoice.service import invoice_service
from roofops.models import ActorType, JobStage, Provider, Role
from roofops.models.invoice import InvoiceKind
from tests.factories import make_job
from tests.integrations.quickbooks.conftest import START, Harness
from tests.integrations.quickbooks.connecting import aimed_at, connect
from tests.integrations.quickbooks.ledgers import sync

ADMIN = Principal(None, "admin@example.com", "Admin", Role.ADMIN, ActorType.USER)
CLOSED_THROUGH = START.date() - timedelta(days=33)


def test_a_sync_learns_the_closing_date_and_generation_refuses_inside_it(
    qbo: Harness,
    session_maker: sessionmaker[Session],
    db: Session,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    qbo.fake.limits.enabled = False  # its rate-limit clock is frozen in these tests
    aimed = aimed_at(settings, qbo)
    # What the composition root connects when the app starts.
    monkeypatch.setattr(invoice_service, "books", PushedInvoiceBooks())
    connection = QuickBooksConnection(clock=qbo.clock)
    connect(db, aimed, connection, ADMIN)
    qbo.fake.close_books(CLOSED_THROUGH)
    run = sync(session_maker, lambda: connection.client(session_maker, aimed))
    assert run.status == "succeeded", run.error
    db.expire_all()
    assert remembered_lock_date(db, Provider.QUICKBOOKS) == CLOSED_THROUGH

    job = make_job(db, number="5003", stage=JobStage.CONTRACT_SIGNED, contract_cents=1_845_000)
    inside = InvoiceGenerate(job_id=job.id, kind=InvoiceKind.DEPOSIT, issue_date=CLOSED_THROUGH)
    with pytest.raises(PeriodClosed) as refused:
        invoice_service.generate(db, ADMIN, inside)
    assert refused.value.status_code == 409
    assert f"QuickBooks is closed through {CLOSED_THROUGH.isoformat()}" in str(refused.value)

    after = inside.model_copy(update={"issue_date": CLOSED_THROUGH + timedelta(days=1)})
    assert invoice_service.generate(db, ADMIN, after).number == "5003"
