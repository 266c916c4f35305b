"""GET|POST /api/v1/jobs/{job_id}/activity."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from roofops.models import Role
from tests.factories import ApiClient, make_job, make_user


def test_a_note_through_the_api_shows_its_mentions_and_lands_in_the_feed(
    api: ApiClient, db: Session
) -> None:
    job = make_job(db)
    make_user(db, email="olivia@summit.example").full_name = "Olivia Office"
    db.commit()
    office = api.as_role(Role.OFFICE)

    created = office.post(
        f"/api/v1/jobs/{job.id}/activity", json={"body": '@"olivia office" and @ghost: ok'}
    )

    assert created.status_code == 201, created.text
    note = created.json()
    assert note["kind"] == "note"
    assert [m["name"] for m in note["data"]["mentions"]] == ["Olivia Office"]
    assert note["data"]["unmatched"] == [{"text": "@ghost", "why": "no active user by that name"}]
    feed = api.as_role(Role.VIEWER).get(f"/api/v1/jobs/{job.id}/activity?limit=1").json()
    assert [entry["id"] for entry in feed["entries"]] == [note["id"]]
    older = api.as_role(Role.VIEWER).get(
        f"/api/v1/jobs/{job.id}/activity", params={"before": feed["older"]}
    )
    assert [entry["kind"] for entry in older.json()["entries"]] == ["stage"]
    assert older.json()["older"] is None


def test_a_viewer_cannot_write_and_bad_input_is_4xx(api: ApiClient, db: Session) -> None:
    job = make_job(db)
    db.commit()

    viewer = api.as_role(Role.VIEWER).post(f"/api/v1/jobs/{job.id}/activity", json={"body": "x"})
    assert viewer.status_code == 403
    assert "write_notes" in viewer.text
    office = api.as_role(Role.OFFICE)
    assert office.post(f"/api/v1/jobs/{job.id}/activity", json={"body": ""}).status_code == 422
    missing = office.post(f"/api/v1/jobs/{uuid.uuid4()}/activity", json={"body": "hello"})
    assert missing.status_code == 404
    assert office.get(f"/api/v1/jobs/{uuid.uuid4()}/activity").status_code == 404
    assert office.get(f"/api/v1/jobs/{job.id}/activity?before=x").status_code == 422
