"""The field API: reports, every crew's day, and site photos (multipart upload, listing)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from roofops.field.service import field_service
from roofops.models import JobStage, Role
from tests.dispatch.field_world import crew_lead
from tests.factories import ApiClient, make_crew, make_job
from tests.field.images import PDF, png
from tests.field.world import planned_job


def test_a_crew_lead_reports_through_the_api(api: ApiClient, db: Session) -> None:
    crew, other = make_crew(db), make_crew(db)
    crew.lead_name, other.lead_name = "Carla Lead", "Otto Other"
    job = planned_job(db, crew, field_service.today(db))
    lead = crew_lead(api, crew)
    body = {"crew_id": str(crew.id), "job_id": str(job.id), "status": "on_site"}

    started = lead.post("/api/v1/field/reports", json=body)
    refused = lead.post("/api/v1/field/reports", json={**body, "crew_id": str(other.id)})
    no_reason = lead.post("/api/v1/field/reports", json={**body, "status": "blocked"})
    bad_status = lead.post("/api/v1/field/reports", json={**body, "status": "napping"})

    assert started.status_code == 201, started.text
    assert started.json()["status"] == "on_site"
    assert started.json()["day"] == field_service.today(db).isoformat()
    db.refresh(job)
    assert job.stage == JobStage.IN_PRODUCTION
    assert refused.status_code == 403
    assert "only the lead of" in refused.json()["error"]["message"]
    assert no_reason.status_code == 422
    assert "what blocks the crew" in no_reason.json()["error"]["message"]
    assert bad_status.status_code == 422


def test_every_crews_day_for_anyone_who_sees_crews(api: ApiClient, db: Session) -> None:
    crew = make_crew(db)
    today = field_service.today(db)
    job = planned_job(db, crew, today)

    body = api.as_role(Role.VIEWER).get("/api/v1/field/today").json()
    mine = next(c for c in body["crews"] if c["crew_id"] == str(crew.id))

    assert body["day"] == today.isoformat()
    assert (mine["state"], mine["job_id"]) == ("scheduled", str(job.id))
    assert mine["planned"][0]["job_number"] == job.number
    assert mine["planned"][0]["phase"] == "install"
    other_day = api.as_role(Role.VIEWER).get("/api/v1/field/today?day=not-a-day")
    assert other_day.status_code == 422


def test_photos_upload_and_list(api: ApiClient, db: Session) -> None:
    job = make_job(db)
    dispatcher = api.as_role(Role.DISPATCHER)
    url = f"/api/v1/jobs/{job.id}/photos"

    uploaded = dispatcher.post(
        url, files={"photo": ("roof.jpg", png(), "image/jpeg")}, data={"caption": "ridge"}
    )
    pretending = dispatcher.post(url, files={"photo": ("roof.jpg", PDF, "image/jpeg")})
    viewer_upload = api.as_role(Role.VIEWER).post(url, files={"photo": ("a.png", png())})
    listed = api.as_role(Role.VIEWER).get(url)

    assert uploaded.status_code == 201, uploaded.text
    photo = uploaded.json()
    assert (photo["content_type"], photo["caption"]) == ("image/png", "ridge")  # by its bytes
    assert photo["url"] == f"/jobs/{job.id}/photos/{photo['id']}"
    assert pretending.status_code == 422
    assert "not a photo" in pretending.json()["error"]["message"]
    assert viewer_upload.status_code == 403
    assert [p["id"] for p in listed.json()] == [photo["id"]]
    served = api.as_role(Role.VIEWER).get(photo["url"])
    assert served.status_code == 200
    assert served.content == png()
    assert served.headers["content-type"] == "image/png"
    assert served.headers["x-content-type-options"] == "nosniff"
