"""The invoices API: roles, generation, refusals as 409, void, balances and the PDF."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from roofops.audit.service import audit_service
from roofops.models import Job, Role
from tests.factories import ApiClient
from tests.invoice.conftest import RETAIL_CONTRACT


def _deposit(job: Job) -> dict[str, object]:
    return {"job_id": str(job.id), "kind": "deposit", "percent": "30"}


def test_finance_raises_an_invoice_office_reads_it(
    api: ApiClient, db: Session, retail_job: Job
) -> None:
    db.commit()
    response = api.as_role(Role.FINANCE).post("/api/v1/invoices", json=_deposit(retail_job))
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["number"], body["kind"], body["payer_kind"]) == ("5003", "deposit", "homeowner")
    assert (body["total"], body["paid"], body["outstanding"]) == ("5535.00", "0.00", "5535.00")
    assert (body["status"], body["push_status"], body["accounting_id"]) == (
        "draft",
        "not_pushed",
        "",
    )
    assert body["lines"][0]["amount"] == "5535.00"
    [created] = audit_service.history(db, "invoice", body["id"])
    assert created.action == "invoice.created"
    assert created.changes["total"]["new"] == "5535"

    office = api.as_role(Role.OFFICE)
    assert office.get(f"/api/v1/invoices/{body['id']}").json()["number"] == "5003"
    listed = office.get("/api/v1/invoices", params={"job_id": str(retail_job.id)}).json()
    assert [item["number"] for item in listed["items"]] == ["5003"]
    assert listed["total"] == 1
    balances = office.get("/api/v1/invoices/balances", params={"job_id": str(retail_job.id)})
    assert balances.json()["contract"] == f"{RETAIL_CONTRACT / 100:.2f}"
    assert balances.json()["left_to_invoice"] == "12915.00"
    assert balances.json()["payers"] == [
        {
            "payer_kind": "homeowner",
            "invoices": 1,
            "invoiced": "5535.00",
            "paid": "0.00",
            "outstanding": "5535.00",
        }
    ]


def test_roles_outside_the_permissions_are_refused(
    api: ApiClient, db: Session, retail_job: Job
) -> None:
    db.commit()
    for role in (Role.OFFICE, Role.DISPATCHER, Role.VIEWER):
        refused = api.as_role(role).post("/api/v1/invoices", json=_deposit(retail_job))
        assert refused.status_code == 403, role
        assert "edit_invoices" in refused.json()["error"]["message"]
    for role in (Role.DISPATCHER, Role.CREW_LEAD, Role.VIEWER):
        assert api.as_role(role).get("/api/v1/invoices").status_code == 403, role


def test_over_invoicing_and_void_twice_are_conflicts(
    api: ApiClient, db: Session, retail_job: Job
) -> None:
    db.commit()
    admin = api.as_role(Role.ADMIN)
    invoice = admin.post("/api/v1/invoices", json=_deposit(retail_job)).json()
    too_much = admin.post(
        "/api/v1/invoices",
        json={
            "job_id": str(retail_job.id),
            "kind": "progress",
            "amount": "20000",
            "description": "Install",
        },
    )
    assert too_much.status_code == 409
    assert "$12,915.00 is left to invoice" in too_much.json()["error"]["message"]

    void_url = f"/api/v1/invoices/{invoice['id']}/void"
    voided = admin.post(void_url, json={"reason": "customer asked for 25 %"})
    assert voided.status_code == 200, voided.text
    assert (voided.json()["status"], voided.json()["outstanding"]) == ("void", "0.00")
    again = admin.post(void_url, json={"reason": "again"})
    assert again.status_code == 409
    assert admin.post(void_url, json={"reason": "  "}).status_code == 422


def test_validation_and_unknown_ids(api: ApiClient, db: Session, retail_job: Job) -> None:
    db.commit()
    finance = api.as_role(Role.FINANCE)
    bad = finance.post(
        "/api/v1/invoices", json={**_deposit(retail_job), "percent": "120", "color": "red"}
    )
    assert bad.status_code == 422
    missing = finance.post(
        "/api/v1/invoices", json={**_deposit(retail_job), "job_id": str(uuid.uuid4())}
    )
    assert missing.status_code == 404
    assert finance.get(f"/api/v1/invoices/{uuid.uuid4()}").status_code == 404
    assert finance.get(f"/api/v1/invoices/{uuid.uuid4()}.pdf").status_code == 404
    no_job = finance.get("/api/v1/invoices/balances", params={"job_id": str(uuid.uuid4())})
    assert no_job.status_code == 404


def test_the_pdf_opens(api: ApiClient, db: Session, retail_job: Job) -> None:
    db.commit()
    finance = api.as_role(Role.FINANCE)
    invoice = finance.post("/api/v1/invoices", json=_deposit(retail_job)).json()
    response = api.as_role(Role.OFFICE).get(f"/api/v1/invoices/{invoice['id']}.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert 'filename="invoice-5003.pdf"' in response.headers["content-disposition"]
    assert response.content.startswith(b"%PDF")
    assert b"Invoice 5003" in response.content
