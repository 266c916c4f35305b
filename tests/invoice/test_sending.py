"""Sending an invoice by e-mail: checked at once (409s), mailed in the background to a real
local SMTP server, and the outcome kept on the invoice (sent_at, status, its deliveries)."""

from __future__ import annotations

import uuid
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from roofops.company.service import company_service
from roofops.config import get_settings
from roofops.invoice.delivery import SEND_TASK
from roofops.invoice.tasks import send
from roofops.models import (
    Customer,
    Invoice,
    InvoiceStatus,
    Job,
    Property,
    Role,
)
from tests.factories import ApiClient
from tests.queued import queued_args
from tests.smtp import SmtpServer

URL = "/api/v1/invoices"


def _raise(api: ApiClient, job: Job, **extra: object) -> dict[str, Any]:
    body = {"job_id": str(job.id), "kind": "deposit", "percent": "30", **extra}
    response = api.as_role(Role.FINANCE).post(URL, json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def queued_sends(db: Session) -> list[dict[str, Any]]:
    return queued_args(db, SEND_TASK)


def run_queued_sends(db: Session, sessions: sessionmaker[Session]) -> None:
    """What the worker does with each queued send (the test's app runs no background work)."""
    for args in queued_sends(db):
        send(sessions, **args)


def test_a_homeowner_invoice_is_mailed_with_its_pdf_and_marked_sent(
    api: ApiClient,
    db: Session,
    session_maker: sessionmaker[Session],
    retail_job: Job,
    mail_to_smtp: SmtpServer,
) -> None:
    db.commit()
    invoice = _raise(api, retail_job)
    finance = api.as_role(Role.FINANCE)

    queued = finance.post(f"{URL}/{invoice['id']}/send", json={})

    assert queued.status_code == 202, queued.text
    email = db.get(Customer, retail_job.customer_id).email  # type: ignore[union-attr]
    assert queued.json() == {
        "invoice_id": invoice["id"],
        "number": "5003",
        "to": email,
        "state": "queued",
    }
    assert mail_to_smtp.messages == []  # the request only queued it
    assert queued_sends(db) == [{"invoice_id": invoice["id"], "to": email, "note": ""}]

    run_queued_sends(db, session_maker)

    [message] = mail_to_smtp.messages
    assert (message["To"], message["Subject"]) == (email, "Invoice 5003 from My Roofing Company")
    text = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    place = db.get(Property, retail_job.property_id)
    assert place is not None
    for fact in ("Invoice number: 5003", "$5,535.00", place.address_line1, "How to pay"):
        assert fact in text, fact
    [pdf] = list(message.iter_attachments())
    assert pdf.get_filename() == "invoice-5003.pdf"
    assert pdf.get_content().startswith(b"%PDF")
    after = finance.get(f"{URL}/{invoice['id']}").json()
    assert (after["status"], after["sent_at"] is not None) == ("sent", True)
    deliveries = finance.get(f"{URL}/{invoice['id']}/deliveries").json()
    assert [(d["event"], d["to"], d["error"]) for d in deliveries] == [
        ("send_requested", email, ""),
        ("sent", email, ""),
    ]


def test_a_carrier_invoice_needs_an_address_and_a_void_one_is_never_sent(
    api: ApiClient, db: Session, insurance_job: Job, mail_to_smtp: SmtpServer
) -> None:
    db.commit()
    acv = _raise(api, insurance_job, kind="insurance_acv", percent=None)
    finance = api.as_role(Role.FINANCE)

    missing = finance.post(f"{URL}/{acv['id']}/send", json={})
    given = finance.post(f"{URL}/{acv['id']}/send", json={"to": "claims@granite.example"})

    assert missing.status_code == 409
    assert "insurance carrier (Granite State Mutual)" in missing.json()["error"]["message"]
    assert "to" in missing.json()["error"]["message"]
    assert given.status_code == 202, given.text
    assert given.json()["to"] == "claims@granite.example"

    finance.post(f"{URL}/{acv['id']}/void", json={"reason": "wrong carrier"})
    void = finance.post(f"{URL}/{acv['id']}/send", json={"to": "claims@granite.example"})
    assert void.status_code == 409
    assert "void" in void.json()["error"]["message"]


def test_sending_needs_mail_configured_and_the_edit_permission(
    api: ApiClient, db: Session, retail_job: Job
) -> None:
    db.commit()
    invoice = _raise(api, retail_job)

    unconfigured = api.as_role(Role.FINANCE).post(f"{URL}/{invoice['id']}/send", json={})
    office = api.as_role(Role.OFFICE).post(f"{URL}/{invoice['id']}/send", json={})
    bad_address = api.as_role(Role.FINANCE).post(
        f"{URL}/{invoice['id']}/send", json={"to": "not an address"}
    )

    assert unconfigured.status_code == 409
    assert "ROOFOPS_SMTP_HOST" in unconfigured.json()["error"]["message"]
    assert office.status_code == 403
    assert bad_address.status_code == 422
    assert queued_sends(db) == []


def test_a_refused_mail_keeps_the_status_and_says_why(
    api: ApiClient,
    db: Session,
    session_maker: sessionmaker[Session],
    retail_job: Job,
    mail_to_smtp: SmtpServer,
) -> None:
    db.commit()
    invoice = _raise(api, retail_job)
    finance = api.as_role(Role.FINANCE)
    finance.post(f"{URL}/{invoice['id']}/send", json={})
    mail_to_smtp.refuse_with = "552 Mailbox full"

    run_queued_sends(db, session_maker)

    stored = db.get(Invoice, uuid.UUID(invoice["id"]), populate_existing=True)
    assert stored is not None
    assert (stored.status, stored.sent_at) == (InvoiceStatus.DRAFT, None)
    failed = finance.get(f"{URL}/{invoice['id']}/deliveries").json()[-1]
    assert failed["event"] == "send_failed"
    assert "552 Mailbox full" in failed["error"]


@pytest.fixture
def demo_outbox(db: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The demo company, no SMTP host, its data folder a temporary one."""
    monkeypatch.setattr(get_settings(), "data_dir", tmp_path)
    company_service.get(db).is_demo = True
    db.commit()
    return tmp_path / "outbox"


def test_the_demo_company_without_smtp_writes_to_its_outbox(
    api: ApiClient,
    db: Session,
    session_maker: sessionmaker[Session],
    retail_job: Job,
    demo_outbox: Path,
) -> None:
    invoice = _raise(api, retail_job)

    queued = api.as_role(Role.FINANCE).post(f"{URL}/{invoice['id']}/send", json={})
    run_queued_sends(db, session_maker)

    assert queued.status_code == 202, queued.text
    [written] = list(demo_outbox.glob("*.eml"))
    message = message_from_bytes(written.read_bytes(), policy=policy.default)
    assert message["Subject"] == "Invoice 5003 from My Roofing Company"
    assert db.get(Invoice, uuid.UUID(invoice["id"]), populate_existing=True).status == (  # type: ignore[union-attr]
        InvoiceStatus.SENT
    )
