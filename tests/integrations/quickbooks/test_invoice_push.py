"""The push as production wires it: the accounting port's writer of a QuickBooks company
connected through OAuth (tokens stored encrypted, refreshed by the token store), over real HTTP
to the fake. The invoicing tests drive both providers with their own clients; this one proves
the composition."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session, sessionmaker

from roofops.auth.principal import Principal
from roofops.config import Settings
from roofops.integrations.invoicing.push import InvoicePushService
from roofops.integrations.quickbooks.connection import QuickBooksConnection
from roofops.invoice.schemas import InvoiceGenerate
from roofops.invoice.service import invoice_service
from roofops.models import ActorType, Invoice, JobStage, Role
from roofops.models.invoice import InvoiceKind, PushStatus
from tests.factories import make_job
from tests.integrations.quickbooks.conftest import Harness
from tests.integrations.quickbooks.connecting import aimed_at, connect

ADMIN = Principal(None, "admin@example.com", "Admin", Role.ADMIN, ActorType.USER)


def test_an_invoice_is_pushed_through_the_connected_company(
    qbo: Harness, session_maker: sessionmaker[Session], db: Session, settings: Settings
) -> None:
    aimed = aimed_at(settings, qbo)
    connect(db, aimed, QuickBooksConnection(clock=qbo.clock), ADMIN)
    qbo.books.add("Item", {"Name": "Roof Replacement", "Type": "Service"})
    job = make_job(db, number="5003", stage=JobStage.CONTRACT_SIGNED, contract_cents=1_845_000)
    data = InvoiceGenerate(job_id=job.id, kind=InvoiceKind.DEPOSIT, issue_date=date.today())
    invoice = invoice_service.generate(db, ADMIN, data)
    db.commit()

    status = InvoicePushService().push(session_maker, aimed, invoice.id)

    assert status == PushStatus.PUSHED
    db.expire_all()
    pushed = db.get(Invoice, invoice.id)
    assert pushed is not None
    [remote] = [row for row in qbo.books.rows("Invoice") if row.get("DocNumber") == "5003"]
    assert pushed.accounting_id == remote["Id"]
    project = qbo.books.get("Customer", remote["CustomerRef"]["value"])
    assert project is not None
    assert project["DisplayName"].startswith("5003 ")
