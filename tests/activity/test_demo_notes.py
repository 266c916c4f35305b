"""The demo company's feeds: notes with @mentions between its people, and their notifications."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roofops.demo.activity import NOTES
from roofops.models import ActivityKind, JobActivity, MailStatus, Notification, User
from roofops.sandbox.demo import build_demo


def test_the_demo_has_notes_whose_mentions_reached_its_people(db: Session) -> None:
    build_demo(db, size=0.05, seed=3, as_of=date(2026, 6, 15))

    notes = db.scalars(sa.select(JobActivity).where(JobActivity.kind == ActivityKind.NOTE)).all()
    assert len(notes) == len(NOTES)
    assert all(note.data["mentions"] and not note.data["unmatched"] for note in notes)
    rows = db.scalars(sa.select(Notification)).all()
    assert {row.mail_status for row in rows} == {MailStatus.SKIPPED}  # history, not news
    admin = db.scalars(sa.select(User).where(User.full_name == "Demo Admin")).one()
    unread = [row for row in rows if row.user_id == admin.id and row.read_at is None]
    assert len(unread) == 1  # today's mention; yesterday's is read
