"""A published plan writes a SCHEDULE entry on each job whose work it changed."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from roofops.activity.schedule import record_schedule_changes, recorded_changes
from roofops.dispatch.changes import Placement
from roofops.models import ActivityKind, ActorType, JobActivity, Role
from roofops.models.dispatch import PlanStatus
from tests.dispatch.field_world import MONDAY, field_day, published_schedule
from tests.factories import ApiClient, make_job, make_user


def schedule_entries(db: Session) -> list[JobActivity]:
    statement = sa.select(JobActivity).where(JobActivity.kind == ActivityKind.SCHEDULE)
    return list(db.scalars(statement.order_by(JobActivity.body)))


def test_a_moved_job_says_its_new_and_old_dates_and_an_unmoved_one_says_nothing(
    db: Session,
) -> None:
    moved, kept = field_day(db, crews=2, visits=0).crews
    roof, other = make_job(db), make_job(db)
    first = published_schedule(db, [(roof, moved, MONDAY, 2), (other, kept, MONDAY, 3)])
    later = MONDAY + timedelta(days=7)
    plan = published_schedule(
        db, [(roof, moved, later, 2), (other, kept, MONDAY, 3)], based_on=first
    )
    publisher = make_user(db, role=Role.DISPATCHER)
    plan.published_by_id = publisher.id

    record_schedule_changes(db, plan.id)

    [entry] = schedule_entries(db)
    assert entry.job_id == roof.id
    assert entry.body == (
        f"Schedule published: roof install moved to Mon Dec 14 to Tue Dec 15 with {moved.name} "
        "(was Mon Dec 7 to Tue Dec 8)."
    )
    assert (entry.actor_type, entry.actor_id) == (ActorType.USER, publisher.id)
    assert entry.data["changes"][0]["after"]["starts_on"] == "2026-12-14"
    [change] = recorded_changes(roof.id, entry.data)  # read back, as the customer portal does
    assert (change.before, change.after) == (
        Placement(roof.id, "install", moved.id, MONDAY, MONDAY + timedelta(days=1)),
        Placement(roof.id, "install", moved.id, later, later + timedelta(days=1)),
    )


def test_publishing_on_the_board_writes_the_entries(api: ApiClient, db: Session) -> None:
    crew = field_day(db, crews=1, visits=0).crews[0]
    roof = make_job(db)
    draft = published_schedule(db, [(roof, crew, MONDAY, 2)])
    draft.status, draft.published_at = PlanStatus.DRAFT, None
    db.commit()

    response = api.as_role(Role.DISPATCHER).post(f"/api/v1/dispatch/plans/{draft.id}/publish")

    assert response.status_code == 200, response.text
    [entry] = schedule_entries(db)
    assert entry.body == (
        f"Schedule published: roof install scheduled Mon Dec 7 to Tue Dec 8 with {crew.name}."
    )
    assert entry.actor_label == "Test dispatcher"
