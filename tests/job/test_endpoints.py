"""The jobs API: roles, validation, stage moves, audit, money at the edge."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from roofops.audit.service import audit_service
from roofops.kit.time import utcnow
from roofops.models import ActorType, Job, JobStage, Role
from tests.factories import ApiClient, make_job, make_property


def _payload(db: Session, **overrides: Any) -> dict[str, Any]:
    prop = make_property(db)
    db.commit()
    return {
        "number": "J-1001",
        "name": "Smith reroof",
        "customer_id": str(prop.customer_id),
        "property_id": str(prop.id),
        "job_type": "reroof",
        "material": "asphalt_shingle",
        "squares": "31.5",
        "payer": "insurance",
        "rcv": "18250.40",
        "deductible": 1000,
        **overrides,
    }


def _fields(response: Any) -> set[str]:
    return {item["field"] for item in response.json()["error"]["fields"]}


def test_viewer_cannot_create_a_job(api: ApiClient, db: Session) -> None:
    response = api.as_role(Role.VIEWER).post("/api/v1/jobs", json=_payload(db))
    assert response.status_code == 403
    assert "office" in response.json()["error"]["message"]


def test_create_job_stores_cents_writes_first_event_and_audit(api: ApiClient, db: Session) -> None:
    office = api.as_role(Role.OFFICE)
    response = office.post("/api/v1/jobs", json=_payload(db))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["rcv"] == "18250.40"
    assert body["deductible"] == "1000.00"
    assert body["acv"] is None
    assert body["stage"] == "lead"
    assert "inspection" in body["next_stages"]
    [event] = body["stage_events"]
    assert event["from_stage"] is None
    assert event["to_stage"] == "lead"
    assert event["actor_type"] == "api_token"
    assert event["actor_id"] == str(office.user.id)  # type: ignore[union-attr]
    job = db.get(Job, uuid.UUID(body["id"]))
    assert job is not None
    assert (job.rcv_cents, job.deductible_cents) == (1_825_040, 100_000)
    [row] = audit_service.history(db, "job", job.id)
    assert row.action == "job.created"


def test_bad_payload_names_the_fields(api: ApiClient, db: Session) -> None:
    payload = _payload(db, number="has space", pitch=40, rcv="-1", job_type="castle")
    response = api.as_role(Role.OFFICE).post("/api/v1/jobs", json=payload)
    assert response.status_code == 422
    assert {"number", "pitch", "rcv", "job_type"} <= _fields(response)


def test_duplicate_number_is_a_conflict(api: ApiClient, db: Session) -> None:
    make_job(db, number="J-7")
    response = api.as_role(Role.OFFICE).post("/api/v1/jobs", json=_payload(db, number="J-7"))
    assert response.status_code == 409
    assert "J-7" in response.json()["error"]["message"]


def test_property_of_another_customer_is_refused(api: ApiClient, db: Session) -> None:
    other = make_property(db)
    payload = _payload(db, property_id=str(other.id))
    response = api.as_role(Role.OFFICE).post("/api/v1/jobs", json=payload)
    assert response.status_code == 422
    assert response.json()["error"]["details"]["field"] == "property_id"


def test_illegal_stage_move_is_409_with_the_lifecycle_reason(api: ApiClient, db: Session) -> None:
    job = make_job(db)
    response = api.as_role(Role.DISPATCHER).post(
        f"/api/v1/jobs/{job.id}/stage", json={"stage": "scheduled"}
    )
    assert response.status_code == 409
    assert "without passing 'Contract signed'" in response.json()["error"]["message"]


def test_moving_back_without_reason_is_refused(api: ApiClient, db: Session) -> None:
    job = make_job(db, stage=JobStage.SCHEDULED)
    response = api.as_role(Role.OFFICE).post(
        f"/api/v1/jobs/{job.id}/stage", json={"stage": "materials_ordered"}
    )
    assert response.status_code == 409
    assert response.json()["error"]["message"] == "moving a job back needs a reason"


def test_legal_move_writes_event_with_actor_reason_and_audit(api: ApiClient, db: Session) -> None:
    started = utcnow() - timedelta(days=3)
    job = make_job(db, stage=JobStage.SCHEDULED, stage_changed_at=started)
    lead = api.as_role(Role.CREW_LEAD)
    when = started + timedelta(days=1)
    response = lead.post(
        f"/api/v1/jobs/{job.id}/stage",
        json={
            "stage": "materials_ordered",
            "reason": "supplier delay",
            "occurred_at": when.isoformat(),
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["stage"] == "materials_ordered"
    event = body["stage_events"][-1]
    assert (event["from_stage"], event["to_stage"]) == ("scheduled", "materials_ordered")
    assert event["reason"] == "supplier delay"
    assert event["actor_id"] == str(lead.user.id)  # type: ignore[union-attr]
    assert event["actor_label"] == lead.user.full_name  # type: ignore[union-attr]
    db.expire_all()
    stored = db.get(Job, job.id)
    assert stored is not None
    assert stored.stage_changed_at == when
    [row] = [r for r in audit_service.history(db, "job", job.id) if r.action == "job.stage_changed"]
    assert row.changes == {"stage": {"old": "scheduled", "new": "materials_ordered"}}
    assert row.reason == "supplier delay"
    assert row.actor_type == ActorType.API_TOKEN


def test_viewer_cannot_move_a_stage(api: ApiClient, db: Session) -> None:
    job = make_job(db)
    response = api.as_role(Role.VIEWER).post(
        f"/api/v1/jobs/{job.id}/stage", json={"stage": "inspection"}
    )
    assert response.status_code == 403


def test_occurred_at_must_be_past_latest_and_not_future(api: ApiClient, db: Session) -> None:
    job = make_job(db, stage_changed_at=utcnow() - timedelta(days=1))
    office = api.as_role(Role.OFFICE)
    url = f"/api/v1/jobs/{job.id}/stage"
    future = (utcnow() + timedelta(hours=2)).isoformat()
    too_early = (utcnow() - timedelta(days=2)).isoformat()
    for when, words in ((future, "future"), (too_early, "latest stage change")):
        response = office.post(url, json={"stage": "inspection", "occurred_at": when})
        assert response.status_code == 422
        assert words in response.json()["error"]["message"]
    naive = office.post(url, json={"stage": "inspection", "occurred_at": "2024-01-01T10:00:00"})
    assert naive.status_code == 422
    assert "occurred_at" in _fields(naive)


def test_unknown_job_is_404(api: ApiClient, db: Session) -> None:
    missing = "00000000-0000-0000-0000-000000000000"
    assert api.as_role(Role.VIEWER).get(f"/api/v1/jobs/{missing}").status_code == 404


def test_patch_is_audited_with_old_and_new_values(api: ApiClient, db: Session) -> None:
    job = make_job(db, name="Old name")
    response = api.as_role(Role.OFFICE).patch(
        f"/api/v1/jobs/{job.id}", json={"name": "New name", "acv": "99.95", "pitch": None}
    )
    assert response.status_code == 200, response.text
    assert response.json()["acv"] == "99.95"
    [row] = audit_service.history(db, "job", job.id)
    assert row.action == "job.updated"
    assert row.changes == {
        "name": {"old": "Old name", "new": "New name"},
        "acv_cents": {"old": None, "new": 9995},
    }


def test_patch_refuses_null_for_required_fields_and_taken_numbers(
    api: ApiClient, db: Session
) -> None:
    job = make_job(db)
    make_job(db, number="TAKEN-1")
    office = api.as_role(Role.OFFICE)
    null_name = office.patch(f"/api/v1/jobs/{job.id}", json={"name": None})
    assert null_name.status_code == 422
    assert _fields(null_name) == {"name"}
    taken = office.patch(f"/api/v1/jobs/{job.id}", json={"number": "TAKEN-1"})
    assert taken.status_code == 409
    stage = office.patch(f"/api/v1/jobs/{job.id}", json={"stage": "paid"})
    assert stage.status_code == 422


def test_stage_events_endpoint_lists_history(api: ApiClient, db: Session) -> None:
    job = make_job(db, stage_changed_at=utcnow() - timedelta(hours=1))
    office = api.as_role(Role.OFFICE)
    office.post(f"/api/v1/jobs/{job.id}/stage", json={"stage": "inspection"})
    response = office.get(f"/api/v1/jobs/{job.id}/stage-events")
    assert [e["to_stage"] for e in response.json()] == ["lead", "inspection"]


def test_stage_counts_endpoint(api: ApiClient, db: Session) -> None:
    make_job(db, stage=JobStage.ESTIMATE)
    response = api.as_role(Role.VIEWER).get("/api/v1/jobs/stage-counts")
    counts = {row["stage"]: row["count"] for row in response.json()}
    assert counts["estimate"] >= 1
    assert set(counts) == {stage.value for stage in JobStage}
