"""The feed: activities and stage changes merged newest first, paged without gaps or repeats."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from roofops.activity.results import FeedCursor
from roofops.activity.service import activity_service
from roofops.auth.principal import SYSTEM
from roofops.exceptions import ValidationFailed
from roofops.job.service import job_service
from roofops.kit.time import utcnow
from roofops.models import ActivityKind, JobStage
from tests.activity.conftest import Team
from tests.factories import make_job


def test_stage_moves_and_activities_are_one_feed_newest_first(db: Session, team: Team) -> None:
    start = utcnow() - timedelta(days=3)
    job = make_job(db, stage=JobStage.CONTRACT_SIGNED, stage_changed_at=start)
    writer = team.principal(team.writer)
    activity_service.record(
        db,
        job.id,
        ActivityKind.SYNC,
        "Squares changed",
        by=SYSTEM,
        occurred_at=start + timedelta(hours=1),
    )
    job_service.move_stage(
        db, writer, job.id, JobStage.MATERIALS_ORDERED, occurred_at=start + timedelta(hours=2)
    )
    activity_service.record(
        db, job.id, ActivityKind.FIELD, "On site", by=writer, occurred_at=start + timedelta(hours=3)
    )

    feed = activity_service.feed_page(db, job.id).entries

    assert [(entry.kind, entry.body) for entry in feed] == [
        ("field", "On site"),
        ("stage", "Moved from Contract signed to Materials ordered"),
        ("sync", "Squares changed"),
        ("stage", "Created in Contract signed"),
    ]
    assert feed[1].data == {
        "from_stage": "contract_signed",
        "to_stage": "materials_ordered",
        "reason": "",
    }
    assert feed[1].actor_label == writer.label


def test_pages_of_the_feed_meet_without_gaps_or_repeats(db: Session, team: Team) -> None:
    start = utcnow() - timedelta(days=1)
    job = make_job(db, stage_changed_at=start)
    same_moment = start + timedelta(minutes=30)  # ties are broken by id, the same on both sides
    for n in range(7):
        activity_service.record(
            db, job.id, ActivityKind.NOTE, f"note {n}", by=SYSTEM, occurred_at=same_moment
        )

    seen: list[str] = []
    cursor: FeedCursor | None = None
    while True:
        page = activity_service.feed_page(db, job.id, 3, before=cursor)
        seen += [entry.body for entry in page.entries]
        if page.older is None:
            break
        cursor = FeedCursor.parse(str(page.older))  # through its URL form, as the page does
    assert sorted(seen[:-1]) == [f"note {n}" for n in range(7)]
    assert seen[-1] == "Created in Lead"
    assert len(seen) == len(set(seen)) == 8


@pytest.mark.parametrize(
    "text",
    [
        "yesterday",
        "2026-12-01T00:00:00Z_not-a-uuid",
        "",
        "0001-01-01T00:00:00+05:00_00000000-0000-0000-0000-000000000000",
    ],
)
def test_a_made_up_position_is_refused(text: str) -> None:
    with pytest.raises(ValidationFailed, match="is not a feed position"):
        FeedCursor.parse(text)


def test_a_limit_out_of_range_is_refused(db: Session) -> None:
    with pytest.raises(ValidationFailed, match="limit must be between 1 and 200"):
        activity_service.feed_page(db, make_job(db).id, 0)
