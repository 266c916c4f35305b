"""Notes: who may write them, what their @mentions record, and who is told."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from roofops.activity.service import activity_service
from roofops.exceptions import NotFound, PermissionDenied, ValidationFailed
from roofops.models import ActivityKind, Notification, Role
from tests.activity.conftest import Team
from tests.factories import make_job, make_user


def notified(db: Session) -> list[tuple[str, str]]:
    rows = db.scalars(sa.select(Notification).order_by(Notification.title))
    return [(row.title, str(row.user_id)) for row in rows]


def test_a_note_mentioning_two_people_notifies_both_and_lists_them(db: Session, team: Team) -> None:
    job = make_job(db, number="R-100")

    note = activity_service.add_note(
        db, team.principal(team.writer), job.id, '  @olivia and @"dan lead": tarp is up  '
    )

    assert note.kind == ActivityKind.NOTE
    assert note.body == '@olivia and @"dan lead": tarp is up'
    assert [m["user_id"] for m in note.data["mentions"]] == [str(team.olivia.id), str(team.dan.id)]
    assert note.data["unmatched"] == []
    rows = db.scalars(sa.select(Notification).order_by(Notification.user_id)).all()
    assert sorted(str(row.user_id) for row in rows) == sorted(
        [str(team.olivia.id), str(team.dan.id)]
    )
    assert {row.title for row in rows} == {"Test dispatcher mentioned you on job R-100"}
    assert {row.link for row in rows} == {f"/jobs/{job.id}#activity-{note.id}"}
    assert {row.job_id for row in rows} == {job.id}


def test_unknown_and_inactive_mentions_stay_text_and_notify_nobody(db: Session, team: Team) -> None:
    team.olivia.is_active = False
    db.flush()
    job = make_job(db)

    note = activity_service.add_note(db, team.principal(team.writer), job.id, "@olivia @bob hi")

    assert note.body == "@olivia @bob hi"
    assert [m["text"] for m in note.data["unmatched"]] == ["@olivia", "@bob"]
    assert notified(db) == []


def test_mentioning_yourself_tells_nobody(db: Session, team: Team) -> None:
    note = activity_service.add_note(
        db, team.principal(team.writer), make_job(db).id, "reminder for @wes.writer"
    )

    assert note.data["mentions"][0]["user_id"] == str(team.writer.id)
    assert notified(db) == []


def test_a_viewer_reads_the_feed_but_cannot_write_a_note(db: Session, team: Team) -> None:
    viewer = make_user(db, role=Role.VIEWER)
    job = make_job(db)

    with pytest.raises(PermissionDenied, match="write_notes"):
        activity_service.add_note(db, team.principal(viewer), job.id, "hello")
    assert [entry.kind for entry in activity_service.feed_page(db, job.id).entries] == ["stage"]


@pytest.mark.parametrize(
    ("body", "message"),
    [("   ", "a note needs some text"), ("x" * 5001, "at most 5000 characters")],
)
def test_an_empty_or_overlong_note_is_refused(
    db: Session, team: Team, body: str, message: str
) -> None:
    with pytest.raises(ValidationFailed, match=message):
        activity_service.add_note(db, team.principal(team.writer), make_job(db).id, body)


def test_a_note_on_a_missing_job_is_404(db: Session, team: Team) -> None:
    with pytest.raises(NotFound):
        activity_service.add_note(db, team.principal(team.writer), uuid.uuid4(), "hello")
