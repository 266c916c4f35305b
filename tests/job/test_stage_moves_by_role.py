"""Who may move a job to which stage: enforced by JobService, so the API, the pages and any
later caller obey the same table (roofops.auth.permissions.MOVE_TO, docs/access.md)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from roofops.auth.permissions import may_move
from roofops.auth.principal import Principal
from roofops.exceptions import PermissionDenied
from roofops.job.lifecycle import allowed_targets
from roofops.job.service import job_service
from roofops.models import ActorType, JobStage, JobStageEvent, Role
from tests.factories import ApiClient, make_job, make_property

S = JobStage
ADMIN, OFFICE, DISPATCHER = Role.ADMIN, Role.OFFICE, Role.DISPATCHER
FINANCE, CREW_LEAD, VIEWER = Role.FINANCE, Role.CREW_LEAD, Role.VIEWER
# The decisions, spelled out move by move: (from, to) -> the roles that may make it.
EXPECTED = {
    (S.LEAD, S.INSPECTION): {ADMIN, OFFICE},
    (S.ESTIMATE, S.CONTRACT_SIGNED): {ADMIN, OFFICE},
    (S.ESTIMATE, S.LOST): {ADMIN, OFFICE},
    (S.CONTRACT_SIGNED, S.MATERIALS_ORDERED): {ADMIN, OFFICE, DISPATCHER, CREW_LEAD},
    (S.SCHEDULED, S.IN_PRODUCTION): {ADMIN, OFFICE, DISPATCHER, CREW_LEAD},
    (S.IN_PRODUCTION, S.COMPLETED): {ADMIN, OFFICE, DISPATCHER, CREW_LEAD},
    (S.SCHEDULED, S.CANCELLED): {ADMIN, OFFICE},
    (S.COMPLETED, S.INVOICED): {ADMIN, FINANCE},
    (S.INVOICED, S.PAID): {ADMIN, FINANCE},
    (S.INVOICED, S.COMPLETED): {ADMIN, FINANCE},  # undoing an invoice is the books' call
    (S.LOST, S.LEAD): {ADMIN, OFFICE},
}


def as_role(role: Role) -> Principal:
    return Principal(None, f"{role.value}@example.com", role.value, role, ActorType.USER)


@pytest.mark.parametrize(
    ("move", "movers"), EXPECTED.items(), ids=[f"{a.value}->{b.value}" for a, b in EXPECTED]
)
def test_the_table_move_by_move(
    db: Session, move: tuple[JobStage, JobStage], movers: set[Role]
) -> None:
    source, target = move
    assert target in allowed_targets(source)  # a lifecycle-legal move: only the role decides
    for role in Role:
        job = make_job(db, stage=source)
        if role in movers:
            moved = job_service.move_stage(db, as_role(role), job.id, target, reason="x")
            assert moved.stage == target
        else:
            with pytest.raises(PermissionDenied):
                job_service.move_stage(db, as_role(role), job.id, target, reason="x")


def test_the_service_obeys_the_table_for_every_legal_move(db: Session) -> None:
    wrong = []
    for source in JobStage:
        for target in allowed_targets(source):
            for role in Role:
                job = make_job(db, stage=source)
                try:
                    job_service.move_stage(db, as_role(role), job.id, target, reason="x")
                    moved = True
                except PermissionDenied:
                    moved = False
                if moved != may_move(role, source, target):
                    wrong.append(f"{role.value}: {source.value} -> {target.value}")
    assert wrong == []


def test_a_refused_move_changes_nothing_and_says_who_may(db: Session) -> None:
    job = make_job(db, stage=S.COMPLETED)

    with pytest.raises(PermissionDenied) as refused:
        job_service.move_stage(db, as_role(CREW_LEAD), job.id, S.INVOICED)

    db.refresh(job)
    assert job.stage == S.COMPLETED
    assert db.query(JobStageEvent).filter_by(job_id=job.id).count() == 1
    assert "'move_to_billing' permission" in refused.value.message
    assert "admin, finance" in refused.value.message


def test_the_role_is_checked_before_the_lifecycle(db: Session) -> None:
    """A viewer learns nothing about a job's lifecycle: every move is a 403 for it."""
    job = make_job(db, stage=S.PAID)
    with pytest.raises(PermissionDenied):
        job_service.move_stage(db, as_role(VIEWER), job.id, S.LEAD, reason="x")


def test_next_stages_are_the_roles_own() -> None:
    assert job_service.next_stages(as_role(FINANCE), S.COMPLETED) == [S.INVOICED, S.PAID]
    assert job_service.next_stages(as_role(CREW_LEAD), S.COMPLETED) == []
    assert job_service.next_stages(as_role(ADMIN), S.COMPLETED) == list(
        allowed_targets(S.COMPLETED)
    )


# ----- through the API -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("role", "target"), [(CREW_LEAD, "paid"), (CREW_LEAD, "cancelled"), (DISPATCHER, "invoiced")]
)
def test_the_issues_moves_are_refused_through_the_api(
    api: ApiClient, db: Session, role: Role, target: str
) -> None:
    """A crew lead could move a job to paid or cancelled, a dispatcher to invoiced."""
    job = make_job(db, stage=S.SCHEDULED if target == "cancelled" else S.COMPLETED)
    db.commit()

    response = api.as_role(role).post(f"/api/v1/jobs/{job.id}/stage", json={"stage": target})

    assert response.status_code == 403
    assert "permission" in response.json()["error"]["message"]


def test_finance_bills_through_the_api(api: ApiClient, db: Session) -> None:
    job = make_job(db, stage=S.COMPLETED)
    db.commit()
    finance = api.as_role(FINANCE)

    invoiced = finance.post(f"/api/v1/jobs/{job.id}/stage", json={"stage": "invoiced"})
    back = finance.post(
        f"/api/v1/jobs/{job.id}/stage", json={"stage": "completed", "reason": "invoice voided"}
    )

    assert invoiced.status_code == 200, invoiced.text
    assert back.status_code == 200, back.text


def test_a_job_starts_in_a_stage_only_by_whoever_may_move_it_there(
    api: ApiClient, db: Session
) -> None:
    prop = make_property(db)
    db.commit()
    body = {
        "number": "J-START",
        "name": "Imported reroof",
        "customer_id": str(prop.customer_id),
        "property_id": str(prop.id),
        "job_type": "reroof",
        "material": "asphalt_shingle",
    }

    invoiced = api.as_role(OFFICE).post("/api/v1/jobs", json=body | {"stage": "invoiced"})
    scheduled = api.as_role(OFFICE).post("/api/v1/jobs", json=body | {"stage": "scheduled"})

    assert invoiced.status_code == 403
    assert "move_to_billing" in invoiced.json()["error"]["message"]
    assert scheduled.status_code == 201, scheduled.text


def test_the_api_offers_each_role_the_moves_the_page_offers(api: ApiClient, db: Session) -> None:
    job = make_job(db, stage=S.COMPLETED)
    db.commit()

    def offered(role: Role) -> list[str]:
        client = api.as_role(role)
        detail = client.get(f"/api/v1/jobs/{job.id}").json()["next_stages"]
        listed = client.get("/api/v1/jobs", params={"q": job.number}).json()["items"]
        assert listed[0]["next_stages"] == detail
        return list(detail)

    assert offered(FINANCE) == ["invoiced", "paid"]
    assert offered(CREW_LEAD) == []
    assert offered(VIEWER) == []
