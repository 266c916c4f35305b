"""One money rule for every role: what the API answers, what the pages show, what the CSV holds."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from roofops.auth.permissions import Permission
from roofops.job.schemas import JobOut
from roofops.kit.schemas import money_fields
from roofops.models import Job, JobStage, PayerKind, Role
from tests.factories import ApiClient, make_job

MONEY_ROLES = sorted(Permission.VIEW_MONEY.roles)
# The contract's and the claim's figures as the API writes them.
API_FIGURES = {
    "contract_amount": "21999.00",
    "rcv": "18450.00",
    "acv": "14200.00",
    "deductible": "1000.00",
    "depreciation_held": "4250.00",
}


def insured_job(db: Session) -> Job:
    job = make_job(db, stage=JobStage.COMPLETED, contract_cents=2_199_900)
    job.payer, job.insurance_carrier, job.claim_number = PayerKind.INSURANCE, "State Farm", "C-1"
    job.rcv_cents, job.acv_cents = 1_845_000, 1_420_000
    job.deductible_cents, job.depreciation_held_cents = 100_000, 425_000
    db.commit()
    return job


def test_the_rule_is_the_documented_one() -> None:
    assert set(MONEY_ROLES) == {Role.ADMIN, Role.OFFICE, Role.FINANCE}
    assert money_fields(JobOut) == set(API_FIGURES)


# ----- the API --------------------------------------------------------------------------
@pytest.mark.parametrize("role", list(Role))
def test_each_role_gets_the_money_the_rule_gives_it(
    api: ApiClient, db: Session, role: Role
) -> None:
    job = insured_job(db)
    client = api.as_role(role)
    sees = role in MONEY_ROLES
    expected = API_FIGURES if sees else dict.fromkeys(API_FIGURES)

    detail = client.get(f"/api/v1/jobs/{job.id}").json()
    listed = client.get("/api/v1/jobs", params={"q": job.number}).json()["items"]

    assert {name: detail[name] for name in API_FIGURES} == expected
    assert {name: listed[0][name] for name in API_FIGURES} == expected
    assert detail["insurance_carrier"] == "State Farm"  # the claim itself is no secret
    price_list = client.get("/api/v1/company/price-list")
    assert price_list.status_code == (200 if sees else 403)


def test_a_stage_move_answers_with_the_movers_view(api: ApiClient, db: Session) -> None:
    """Every response that carries a job goes through the rule, writes included."""
    job = insured_job(db)
    job.stage = JobStage.IN_PRODUCTION
    db.commit()

    moved = api.as_role(Role.CREW_LEAD).post(
        f"/api/v1/jobs/{job.id}/stage", json={"stage": "completed"}
    )

    assert moved.status_code == 200, moved.text
    assert moved.json()["rcv"] is None


def test_the_openapi_marks_the_money_fields(api: ApiClient) -> None:
    schema = api.as_role(Role.VIEWER).get("/openapi.json").json()
    job = schema["components"]["schemas"]["JobOut"]["properties"]

    assert all(job[name].get("x-money") for name in API_FIGURES)
    assert "view_money" in job["rcv"]["description"]
    assert not job["insurance_carrier"].get("x-money")


@pytest.mark.parametrize("role", list(Role))
def test_the_csv_export_is_for_money_roles_only(api: ApiClient, db: Session, role: Role) -> None:
    job = insured_job(db)

    csv = api.as_role(role).get("/api/v1/accounting/profitability.csv")

    if role not in MONEY_ROLES:
        assert csv.status_code == 403
        return
    row = next(line for line in csv.text.splitlines() if job.number in line)
    assert "21999.00" in row
