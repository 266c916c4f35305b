"""The operations snapshot: crews and their state, jobs in production, the map, branches."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from roofops.auth.principal import Principal
from roofops.field.results import CrewState
from roofops.field.service import field_service
from roofops.models.enums import JobStage, Role
from roofops.models.field import FieldStatus
from roofops.operations.service import operations_service
from tests.factories import make_branch, make_crew, make_job
from tests.operations.conftest import publish_schedule, viewer, working_every_day


@pytest.fixture
def admin(db: Session) -> Principal:
    return viewer(db, Role.ADMIN)


def test_a_crew_is_scheduled_until_its_lead_reports_then_takes_the_report_s_state(
    db: Session, today: date, admin: Principal
) -> None:
    crew = working_every_day(make_crew(db))
    job = make_job(db, stage=JobStage.SCHEDULED, number="OPS-1")
    publish_schedule(db, today, [(job, crew, [today, today + timedelta(days=1)])])

    before = operations_service.snapshot(db, admin, today)
    (state,) = [c for c in before.crews if c.crew_id == crew.id]
    assert state.state == CrewState.SCHEDULED
    assert [work.job_number for work in state.planned] == ["OPS-1"]
    (listed,) = [j for j in before.jobs if j.job_id == job.id]
    assert listed.crew_names == (crew.name,)
    assert listed.planned_end == today + timedelta(days=1)

    field_service.report(db, admin, crew.id, job.id, FieldStatus.ON_SITE)
    after = operations_service.snapshot(db, admin, today)
    (state,) = [c for c in after.crews if c.crew_id == crew.id]
    assert state.state == CrewState.ON_SITE
    assert state.since is not None
    (listed,) = [j for j in after.jobs if j.job_id == job.id]
    assert listed.stage == JobStage.IN_PRODUCTION  # the first start moved it


def test_jobs_in_production_are_listed_closed_ones_are_not(
    db: Session, today: date, admin: Principal
) -> None:
    building = make_job(db, stage=JobStage.IN_PRODUCTION, number="OPS-2")
    done = make_job(db, stage=JobStage.COMPLETED, number="OPS-3")
    numbers = {job.number for job in operations_service.snapshot(db, admin, today).jobs}
    assert building.number in numbers
    assert done.number not in numbers


def test_the_map_marks_each_site_worked_today_in_its_crew_s_colour_and_each_yard(
    db: Session, today: date, admin: Principal
) -> None:
    branch = make_branch(db)
    crew = working_every_day(make_crew(db, branch=branch))
    crew.color = "#dc2626"
    job = make_job(db, stage=JobStage.SCHEDULED, branch=branch)
    publish_schedule(db, today, [(job, crew, [today])])
    field_service.report(db, admin, crew.id, job.id, FieldStatus.EN_ROUTE)

    points = operations_service.snapshot(db, admin, today, branch.id).map_points
    site = next(point for point in points if point.kind == "job")
    assert (site.colour, site.state, site.crew_names) == ("#dc2626", "en_route", (crew.name,))
    assert site.link == f"/jobs/{job.id}"
    yards = [point for point in points if point.kind == "yard"]
    assert [yard.label for yard in yards] == [f"{branch.name} yard"]


def test_a_branch_sees_its_own_crews_and_jobs_only(
    db: Session, today: date, admin: Principal
) -> None:
    north, south = make_branch(db), make_branch(db)
    north_crew = working_every_day(make_crew(db, branch=north))
    south_crew = working_every_day(make_crew(db, branch=south))
    north_job = make_job(db, stage=JobStage.IN_PRODUCTION, branch=north)
    south_job = make_job(db, stage=JobStage.IN_PRODUCTION, branch=south)
    publish_schedule(
        db, today, [(north_job, north_crew, [today]), (south_job, south_crew, [today])]
    )

    snapshot = operations_service.snapshot(db, admin, today, north.id)
    assert {crew.crew_id for crew in snapshot.crews} == {north_crew.id}
    assert {job.job_id for job in snapshot.jobs} == {north_job.id}
