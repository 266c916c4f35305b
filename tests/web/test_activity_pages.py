"""The job page's activity block, notes posted from it, the bell and /notifications."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roofops.activity.service import activity_service
from roofops.auth.principal import SYSTEM
from roofops.models import ActivityKind, JobActivity, Notification, Role
from roofops.notification.service import notification_service
from tests.factories import make_job, make_user
from tests.statements import counted_statements, verbs_on
from tests.web.conftest import Browser

HX = {"HX-Request": "true"}
SignIn = Callable[[Role], Browser]


def test_the_job_page_shows_the_feed_and_the_note_form(sign_in: SignIn, db: Session) -> None:
    job = make_job(db, number="R-21")
    activity_service.record(
        db, job.id, ActivityKind.PHOTO, "Photo of the ridge", by=SYSTEM, data={"photo_id": "p1"}
    )
    db.commit()
    office = sign_in(Role.OFFICE)

    html = office.client.get(f"/jobs/{job.id}").text

    assert 'id="activity"' in html
    assert 'id="note-body"' in html
    assert "Photo of the ridge" in html
    assert "Created in Lead" in html
    assert f'src="/jobs/{job.id}/photos/p1"' in html
    assert 'sse-connect="/api/v1/events?topics=job.activity,job.stage_changed"' in html


def test_a_viewer_reads_the_feed_without_a_note_form(sign_in: SignIn, db: Session) -> None:
    job = make_job(db)
    db.commit()
    viewer = sign_in(Role.VIEWER)

    html = viewer.client.get(f"/jobs/{job.id}").text

    assert 'id="activity"' in html
    assert 'id="note-body"' not in html
    refused = viewer.post(f"/jobs/{job.id}/notes", {"body": "hi"})
    assert refused.status_code == 403


def test_a_note_posted_from_the_page_mentions_and_says_who_was_not_told(
    sign_in: SignIn, db: Session
) -> None:
    job = make_job(db)
    olivia = make_user(db, email="olivia@summit.example")
    db.commit()
    lead = sign_in(Role.CREW_LEAD)

    response = lead.post(f"/jobs/{job.id}/notes", {"body": "@olivia @nobody gutters done"}, HX)

    assert response.status_code == 200, response.text
    assert 'id="note-added"' in response.text
    assert "Not notified (no active user matches): @nobody" in response.text
    assert 'hx-swap-oob="innerHTML"' in response.text
    assert '<mark class="mention">@olivia</mark>' in response.text
    [row] = db.scalars(sa.select(Notification)).all()
    assert row.user_id == olivia.id


def test_an_empty_note_is_refused_beside_the_form(sign_in: SignIn, db: Session) -> None:
    job = make_job(db)
    db.commit()
    office = sign_in(Role.OFFICE)

    response = office.post(f"/jobs/{job.id}/notes", {"body": "   "}, HX)

    assert response.status_code == 422
    assert 'id="note-error"' in response.text
    assert "A note needs some text." in response.text
    assert db.scalars(sa.select(JobActivity)).all() == []


def test_without_htmx_a_note_redirects_back_to_the_feed(sign_in: SignIn, db: Session) -> None:
    job = make_job(db)
    db.commit()
    office = sign_in(Role.OFFICE)

    response = office.post(f"/jobs/{job.id}/notes", {"body": "called the homeowner"})

    assert response.status_code == 303
    assert response.headers["location"] == f"/jobs/{job.id}#activity"


def test_older_entries_load_page_by_page(sign_in: SignIn, db: Session) -> None:
    job = make_job(db)
    for n in range(30):
        activity_service.record(db, job.id, ActivityKind.NOTE, f"entry {n:02d}", by=SYSTEM)
    db.commit()
    office = sign_in(Role.OFFICE)

    first = office.client.get(f"/jobs/{job.id}/activity").text
    assert first.count('class="activity-entry') == 25
    older = first.split("/activity?before=")[1].split('"')[0]
    rest = office.client.get(f"/jobs/{job.id}/activity?before={older}").text
    assert rest.count('class="activity-entry') == 6  # five notes and the job's creation
    assert "Show older" not in rest
    assert office.client.get(f"/jobs/{job.id}/activity?before=nonsense").status_code == 422


def test_the_bell_counts_unread_and_the_page_marks_them_read(sign_in: SignIn, db: Session) -> None:
    dispatcher = sign_in(Role.DISPATCHER)
    job = make_job(db)
    notification_service.notify(
        db,
        [dispatcher.user.id],
        title="Olivia mentioned you on job R-1",
        body="@dan",
        link=f"/jobs/{job.id}",
    )
    notification_service.notify(db, [dispatcher.user.id], title="Second", body="", link="")
    db.commit()

    assert 'id="notification-count">2<' in dispatcher.client.get("/jobs").text
    page = dispatcher.client.get("/notifications").text
    assert "Olivia mentioned you on job R-1" in page
    assert page.count("is-unread") == 2
    first = db.scalars(sa.select(Notification).where(Notification.title == "Second")).one()

    opened = dispatcher.post(f"/notifications/{first.id}/open")
    assert (opened.status_code, opened.headers["location"]) == (303, "/notifications")
    assert 'id="notification-count">1<' in dispatcher.client.get("/notifications/bell").text
    assert dispatcher.post("/notifications/read").status_code == 303
    assert 'id="notification-count"' not in dispatcher.client.get("/notifications/bell").text


def test_someone_elses_notification_is_404(sign_in: SignIn, db: Session) -> None:
    other = make_user(db)
    notification_service.notify(db, [other.id], title="not yours", body="", link="/jobs")
    db.commit()
    row = db.scalars(sa.select(Notification)).one()
    office = sign_in(Role.OFFICE)

    assert office.post(f"/notifications/{row.id}/open").status_code == 404
    db.refresh(row)
    assert row.read_at is None


def test_the_bell_is_counted_only_on_a_page_that_shows_it(
    sign_in: SignIn, db: Session, connection: sa.Connection
) -> None:
    job = make_job(db)
    db.commit()
    office = sign_in(Role.OFFICE)

    with counted_statements(connection) as fragment:
        office.client.get(f"/jobs/{job.id}/activity", headers=HX).raise_for_status()
    with counted_statements(connection) as whole_page:
        office.client.get(f"/jobs/{job.id}").raise_for_status()

    assert verbs_on(fragment, "notifications") == []
    assert verbs_on(whole_page, "notifications") == ["SELECT"]
