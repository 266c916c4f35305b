"""GET /api/v1/notifications and POST /api/v1/notifications/read: one's own only."""

from __future__ import annotations

from sqlalchemy.orm import Session

from roofops.models import Role
from roofops.notification.service import notification_service
from tests.factories import ApiClient, make_job


def test_a_person_lists_and_marks_their_own_notifications(api: ApiClient, db: Session) -> None:
    lead = api.as_role(Role.CREW_LEAD)
    other = api.as_role(Role.OFFICE)
    assert lead.user is not None
    assert other.user is not None
    job = make_job(db)
    for title in ("first", "second"):
        notification_service.notify(
            db, [lead.user.id, other.user.id], title=title, body="b", link="/jobs", job_id=job.id
        )
    db.commit()

    listed = lead.get("/api/v1/notifications").json()
    assert listed["unread"] == 2
    assert {row["title"] for row in listed["notifications"]} == {"first", "second"}
    assert {row["job_id"] for row in listed["notifications"]} == {str(job.id)}
    theirs = other.get("/api/v1/notifications").json()["notifications"][0]["id"]
    mine = listed["notifications"][0]["id"]

    marked = lead.post("/api/v1/notifications/read", json={"ids": [mine, theirs]})
    assert marked.json() == {"marked": 1, "unread": 1}
    assert other.get("/api/v1/notifications?unread=true").json()["unread"] == 2
    assert lead.post("/api/v1/notifications/read", json={}).json() == {"marked": 1, "unread": 0}
    assert lead.get("/api/v1/notifications?unread=true").json()["notifications"] == []


def test_bad_input_is_422(api: ApiClient) -> None:
    viewer = api.as_role(Role.VIEWER)
    assert viewer.get("/api/v1/notifications?limit=0").status_code == 422
    assert viewer.post("/api/v1/notifications/read", json={"ids": ["x"]}).status_code == 422
