"""Crews' reports: who may report for which crew, what a report needs, the job it moves into
production, the activity it writes and the live event it sends (after commit only)."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from roofops.events.hub import get_hub
from roofops.exceptions import Conflict, PermissionDenied, ValidationFailed
from roofops.field.service import FIELD_TOPIC, field_service
from roofops.models import ActivityKind, JobActivity, JobStage, JobStageEvent, Role
from roofops.models.field import FieldReport, FieldStatus
from tests.factories import make_job
from tests.field.world import crew_with_lead, person, planned_job


def test_a_crew_lead_reports_for_the_crew_they_lead(db: Session) -> None:
    own, other = crew_with_lead(db), crew_with_lead(db)
    today = field_service.today(db)
    job = planned_job(db, own.crew, today)

    report = field_service.report(db, own.lead, own.crew.id, job.id, FieldStatus.EN_ROUTE)

    assert (report.crew_id, report.job_id, report.status) == (own.crew.id, job.id, "en_route")
    assert report.day == today
    assert report.reported_by_id == own.user.id
    with pytest.raises(PermissionDenied, match=f"only the lead of {own.crew.name}"):
        field_service.report(db, other.lead, own.crew.id, job.id, FieldStatus.ON_SITE)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [(Role.ADMIN, True), (Role.DISPATCHER, True), (Role.OFFICE, False), (Role.VIEWER, False)],
)
def test_admins_and_dispatchers_report_for_any_crew(db: Session, role: Role, allowed: bool) -> None:
    crew = crew_with_lead(db).crew
    job = planned_job(db, crew, field_service.today(db))
    principal = person(db, role)

    if allowed:
        report = field_service.report(db, principal, crew.id, job.id, FieldStatus.FINISHED)
        assert report.status == FieldStatus.FINISHED
    else:
        with pytest.raises(PermissionDenied, match="report_field_work"):
            field_service.report(db, principal, crew.id, job.id, FieldStatus.FINISHED)


def test_blocked_needs_a_reason_and_the_reason_reaches_the_activity_feed(db: Session) -> None:
    lead = crew_with_lead(db)
    job = planned_job(db, lead.crew, field_service.today(db))

    with pytest.raises(ValidationFailed, match="what blocks the crew"):
        field_service.report(db, lead.lead, lead.crew.id, job.id, FieldStatus.BLOCKED, note="  ")
    field_service.report(
        db, lead.lead, lead.crew.id, job.id, FieldStatus.BLOCKED, note="no drip edge on site"
    )

    activity = db.scalars(sa.select(JobActivity).where(JobActivity.job_id == job.id)).one()
    assert activity.kind == ActivityKind.FIELD
    assert activity.body == f"{lead.crew.name} blocked: no drip edge on site"
    assert activity.data["status"] == "blocked"
    assert activity.data["crew_id"] == str(lead.crew.id)
    assert (activity.actor_id, activity.actor_label) == (lead.user.id, lead.user.full_name)


@pytest.mark.parametrize("stage", [JobStage.SCHEDULED, JobStage.MATERIALS_ORDERED])
def test_the_first_start_on_site_puts_the_job_in_production(db: Session, stage: JobStage) -> None:
    lead = crew_with_lead(db)
    job = planned_job(db, lead.crew, field_service.today(db), stage=stage)

    field_service.report(db, lead.lead, lead.crew.id, job.id, FieldStatus.EN_ROUTE)
    assert job.stage == stage  # on the way is not a start
    field_service.report(db, lead.lead, lead.crew.id, job.id, FieldStatus.ON_SITE)
    field_service.report(db, lead.lead, lead.crew.id, job.id, FieldStatus.FINISHED)
    field_service.report(db, lead.lead, lead.crew.id, job.id, FieldStatus.ON_SITE)  # day two

    db.refresh(job)
    moves = db.scalars(
        sa.select(JobStageEvent).where(
            JobStageEvent.job_id == job.id, JobStageEvent.to_stage == JobStage.IN_PRODUCTION
        )
    ).all()
    assert job.stage == JobStage.IN_PRODUCTION
    assert len(moves) == 1
    assert moves[0].actor_id == lead.user.id
    assert moves[0].reason == f"{lead.crew.name} started work on site"


def test_a_job_in_another_stage_is_not_moved(db: Session) -> None:
    lead = crew_with_lead(db)
    job = make_job(db, stage=JobStage.COMPLETED)  # a punch-list visit after completion

    field_service.report(db, lead.lead, lead.crew.id, job.id, FieldStatus.ON_SITE)

    assert job.stage == JobStage.COMPLETED


@pytest.mark.parametrize("stage", [JobStage.PAID, JobStage.LOST, JobStage.CANCELLED])
def test_a_closed_job_takes_no_reports(db: Session, stage: JobStage) -> None:
    lead = crew_with_lead(db)
    job = make_job(db, stage=stage)

    with pytest.raises(Conflict, match="no field work to report"):
        field_service.report(db, lead.lead, lead.crew.id, job.id, FieldStatus.ON_SITE)
    assert db.scalar(sa.select(sa.func.count()).select_from(FieldReport)) == 0


def test_the_status_event_is_sent_after_commit_only(db: Session, is_postgres: bool) -> None:
    lead = crew_with_lead(db)
    job = planned_job(db, lead.crew, field_service.today(db))
    db.commit()

    async def scenario() -> tuple[list[object], list[object], list[object]]:
        with get_hub().subscribe(frozenset({FIELD_TOPIC}), Role.VIEWER) as subscription:
            field_service.report(db, lead.lead, lead.crew.id, job.id, FieldStatus.EN_ROUTE)
            db.rollback()
            db.commit()
            after_rollback = await _drain(subscription.queue)
            field_service.report(db, lead.lead, lead.crew.id, job.id, FieldStatus.ON_SITE)
            before_commit = await _drain(subscription.queue)
            db.commit()
            after_commit = await _drain(subscription.queue)
        return after_rollback, before_commit, after_commit

    after_rollback, before_commit, after_commit = asyncio.run(scenario())

    assert after_rollback == []
    assert before_commit == []
    if is_postgres:
        # The test's outer transaction never commits, so PostgreSQL never sends the NOTIFY;
        # delivery across processes is tests/events' concern.
        assert after_commit == []
        return
    payload = {
        "crew_id": str(lead.crew.id),
        "job_id": str(job.id),
        "status": "on_site",
        "day": field_service.today(db).isoformat(),
    }
    assert after_commit == [(FIELD_TOPIC, payload)]


async def _drain(queue: asyncio.Queue[object]) -> list[object]:
    await asyncio.sleep(0.05)  # deliveries are handed to the loop with call_soon_threadsafe
    items = []
    while not queue.empty():
        items.append(queue.get_nowait())
    return items


def test_a_site_note_goes_on_the_jobs_activity_feed(db: Session) -> None:
    lead = crew_with_lead(db)
    job = planned_job(db, lead.crew, field_service.today(db))

    with pytest.raises(ValidationFailed, match="write the note"):
        field_service.add_note(db, lead.lead, lead.crew.id, job.id, "   ")
    note = field_service.add_note(
        db, lead.lead, lead.crew.id, job.id, " Decking rot on the north side "
    )

    assert (note.kind, note.body) == (ActivityKind.NOTE, "Decking rot on the north side")
    assert note.data == {"crew_id": str(lead.crew.id)}
