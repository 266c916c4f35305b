"""The accounting API: roles, validation, manual figures with their audit, CSV."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roofops.models import AuditLog, Job, Role
from tests.factories import ApiClient, make_job


def _job(db: Session) -> Job:
    job = make_job(db, squares=Decimal("30"))
    db.commit()
    return job


def test_money_is_for_office_finance_and_admins(api: ApiClient, db: Session) -> None:
    job = _job(db)
    for role in (Role.VIEWER, Role.DISPATCHER, Role.CREW_LEAD):
        assert api.as_role(role).get("/api/v1/accounting/profitability").status_code == 403
    office = api.as_role(Role.OFFICE)
    assert office.get("/api/v1/accounting/profitability").status_code == 200
    body = {"amount": "1.00", "reason": "not the office's to set"}
    refused = office.put(f"/api/v1/accounting/jobs/{job.id}/figures/contract", json=body)
    assert refused.status_code == 403
    assert "edit_figures" in refused.json()["error"]["message"]

    response = api.as_role(Role.FINANCE).get("/api/v1/accounting/profitability?size=200")

    assert response.status_code == 200
    assert response.json()["total"] >= 1


def test_a_manual_figure_is_audited_with_its_reason(api: ApiClient, db: Session) -> None:
    job = _job(db)
    finance = api.as_role(Role.FINANCE)

    response = finance.put(
        f"/api/v1/accounting/jobs/{job.id}/figures/contract",
        json={"amount": "18500.00", "reason": "signed change order #2"},
    )

    assert response.status_code == 200, response.text
    figure = response.json()["figures"]["contract"]
    assert (figure["amount"], figure["source"]) == ("18500.00", "manual")
    audit = db.scalars(
        sa.select(AuditLog).where(AuditLog.action == "financials.figure_changed")
    ).all()
    assert audit[-1].reason == "signed change order #2"
    assert audit[-1].changes["contract_source"] == {"old": "placeholder", "new": "manual"}

    cleared = finance.post(
        f"/api/v1/accounting/jobs/{job.id}/figures/contract/clear", json={"reason": "typo"}
    )
    assert cleared.json()["figures"]["contract"]["source"] == "placeholder"


def test_bad_figures_get_field_messages(api: ApiClient, db: Session) -> None:
    job = _job(db)
    finance = api.as_role(Role.FINANCE)
    url = f"/api/v1/accounting/jobs/{job.id}/figures"

    negative = finance.put(f"{url}/labor", json={"amount": "-5", "reason": "oops"})
    no_reason = finance.put(f"{url}/labor", json={"amount": "5"})
    unknown = finance.put(f"{url}/profit", json={"amount": "5", "reason": "nope"})

    assert negative.status_code == no_reason.status_code == unknown.status_code == 422
    assert {f["field"] for f in no_reason.json()["error"]["fields"]} == {"reason"}


def test_clearing_a_figure_that_is_not_manual_is_refused(api: ApiClient, db: Session) -> None:
    job = _job(db)
    response = api.as_role(Role.FINANCE).post(
        f"/api/v1/accounting/jobs/{job.id}/figures/labor/clear", json={"reason": "why not"}
    )
    assert response.status_code == 422


def test_csv_export_has_a_row_per_job(api: ApiClient, db: Session) -> None:
    job = _job(db)
    response = api.as_role(Role.ADMIN).get(f"/api/v1/accounting/profitability.csv?q={job.number}")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    header, *rows = response.text.strip().splitlines()
    assert header.startswith("job_number,job_name,job_type")
    assert len(rows) == 1
    assert rows[0].startswith(job.number)
