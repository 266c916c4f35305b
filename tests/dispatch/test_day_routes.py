"""Daily routes on a real database: who goes out, which visits, checked plans, drafts,
publishing, and an urgent leak inserted in well under a second."""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Sequence
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from roofops.auth.principal import Principal
from roofops.dispatch.day_problem import load_day
from roofops.dispatch.day_routes import day_routes
from roofops.dispatch.field_repository import FieldRepository
from roofops.dispatch.travel import connect_travel_times, disconnect_travel_times
from roofops.engines.plan_check.routes import check_routes
from roofops.engines.routing.model import TravelMatrix
from roofops.engines.routing.travel import Point
from roofops.kit.http import VendorUnavailable
from roofops.models import ActorType, Holiday, JobStage, JobType, Priority, Role
from roofops.models.dispatch import (
    CrewTimeOff,
    DispatchEvent,
    DispatchEventKind,
    JobRequirements,
    PlanStatus,
    StopKind,
    TimeOffKind,
)
from tests.dispatch.field_world import (
    MONDAY,
    field_day,
    published_schedule,
    published_visit,
    repair_job,
)
from tests.factories import ApiClient, make_job

URL = "/api/v1/dispatch/routes"
DISPATCHER = Principal(None, "dispatch@example.com", "Dee", Role.DISPATCHER, ActorType.USER)


def test_a_day_is_routed_checked_and_stored_as_a_draft(db: Session) -> None:
    day = field_day(db, crews=3, visits=12)

    routes = day_routes.optimize(db, DISPATCHER, MONDAY, seconds=1)

    plan = routes.plan
    assert (plan.status, plan.route_date, plan.trigger) == (
        PlanStatus.DRAFT,
        MONDAY,
        "optimize routes",
    )
    visits = [stop for stop in routes.stops if stop.kind == StopKind.VISIT and stop.crew_id]
    assert {stop.job_id for stop in visits} == {job.id for job in day.jobs}
    assert plan.breakdown["routed"] == 12
    # Each crew's day is in order, with its break, and no two stops overlap.
    for crew in day.crews:
        own = [stop for stop in routes.stops if stop.crew_id == crew.id]
        times = [(stop.start_minute, stop.departure_minute) for stop in own]
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(times)), times
        if any(stop.kind == StopKind.VISIT for stop in own):
            assert [stop.kind for stop in own].count(StopKind.BREAK) == 1
    # The stored plan, re-read as the engine's result, passes the independent check.
    problem = load_day(FieldRepository(db), MONDAY).problem
    assert problem is not None
    from roofops.dispatch.day_routes import routes_of

    stored = routes_of(problem, routes.stops)
    assert check_routes(problem, stored.routes, [u.visit_id for u in stored.unassigned]) == []


def test_busy_crews_stay_home_and_unready_visits_say_why(db: Session) -> None:
    day = field_day(db, crews=3, visits=6)
    on_a_roof, sick, free = day.crews
    roof = make_job(db)
    published_schedule(db, [(roof, on_a_roof, MONDAY - timedelta(days=1), 3)])
    db.add(CrewTimeOff(crew_id=sick.id, starts_on=MONDAY, ends_on=MONDAY, kind=TimeOffKind.SICK))
    late = repair_job(db, day.branch, random.Random(1))
    requirements = db.query(JobRequirements).filter_by(job_id=late.id).one()
    requirements.materials_ready_on = MONDAY + timedelta(days=2)
    db.flush()

    routes = day_routes.optimize(db, DISPATCHER, MONDAY, seconds=0.5)

    crews_out = {stop.crew_id for stop in routes.stops if stop.crew_id}
    assert crews_out == {free.id}
    [left] = [stop for stop in routes.stops if stop.job_id == late.id]
    assert left.crew_id is None
    assert left.reason == f"materials ready only on {(MONDAY + timedelta(days=2)).isoformat()}"


def test_nobody_is_routed_on_a_holiday(db: Session) -> None:
    day = field_day(db, crews=2, visits=3)
    db.add(Holiday(on=MONDAY, name="Founders' day"))
    db.flush()

    routes = day_routes.optimize(db, DISPATCHER, MONDAY, seconds=0.5)

    assert all(stop.crew_id is None for stop in routes.stops)
    assert {stop.job_id for stop in routes.stops} == {job.id for job in day.jobs}
    assert "company holiday" in routes.stops[0].reason


def test_a_visit_already_on_another_days_routes_is_not_routed_again(db: Session) -> None:
    day = field_day(db, crews=2, visits=4)
    published_visit(db, day.jobs[0], day.crews[0], MONDAY - timedelta(days=3), 480)

    routes = day_routes.optimize(db, DISPATCHER, MONDAY, seconds=0.5)

    assert day.jobs[0].id not in {stop.job_id for stop in routes.stops}


def test_a_new_draft_replaces_the_days_draft_and_publishing_supersedes(
    api: ApiClient, db: Session
) -> None:
    field_day(db, crews=2, visits=5)
    db.commit()
    dispatcher = api.as_role(Role.DISPATCHER)

    first = dispatcher.post(URL, json={"date": MONDAY.isoformat()})
    second = dispatcher.post(URL, json={"date": MONDAY.isoformat()})
    published = dispatcher.post(f"{URL}/{second.json()['id']}/publish")
    again = dispatcher.post(f"{URL}/{second.json()['id']}/publish")
    stale = dispatcher.post(f"{URL}/{first.json()['id']}/publish")
    shown = api.as_role(Role.VIEWER).get(URL, params={"date": MONDAY.isoformat()})

    assert first.status_code == 201, first.text
    assert published.status_code == 200, published.text
    assert published.json()["status"] == "published"
    assert again.status_code == 409
    assert stale.status_code == 409
    assert "discarded" in stale.json()["error"]["message"]
    assert shown.json()["id"] == second.json()["id"]
    assert api.as_role(Role.VIEWER).post(URL, json={"date": MONDAY.isoformat()}).status_code == 403


@pytest.mark.parametrize("visits", [20, 40])
def test_an_urgent_leak_is_inserted_into_a_realistic_day_in_under_a_second(
    api: ApiClient, db: Session, visits: int
) -> None:
    day = field_day(db, crews=5, visits=visits, seed=11)
    day_routes.publish(
        db, DISPATCHER, day_routes.optimize(db, DISPATCHER, MONDAY, seconds=2).plan.id
    )
    leak = repair_job(db, day.branch, random.Random(99), priority=Priority.URGENT)
    db.commit()
    dispatcher = api.as_role(Role.DISPATCHER)

    started = time.perf_counter()
    response = dispatcher.post(
        f"{URL}/urgent", json={"job_id": str(leak.id), "date": MONDAY.isoformat()}
    )
    elapsed = time.perf_counter() - started

    assert response.status_code == 201, response.text
    body = response.json()
    how = f"{body['plan']['solver']}, {body['seconds']} s in the service"
    assert elapsed < 1.0, f"{elapsed:.3f} s for the whole request ({how})"
    assert body["seconds"] < 1.0
    assert body["crew_id"] is not None
    assert body["plan"]["status"] == "draft"
    assert body["plan"]["trigger"].startswith("urgent visit: ")
    assert str(leak.id) in {change["job_id"] for change in body["changes"]}
    routed = {stop["job_id"] for stop in body["plan"]["stops"] if stop["crew_id"]}
    assert {str(job.id) for job in day.jobs} <= routed | {
        stop["job_id"] for stop in body["plan"]["stops"] if not stop["crew_id"]
    }
    assert str(leak.id) in routed
    [event] = db.query(DispatchEvent).filter_by(job_id=leak.id).all()
    assert (event.kind, event.starts_on, str(event.plan_id)) == (
        DispatchEventKind.URGENT_JOB,
        MONDAY,
        body["plan"]["id"],
    )


def test_windows_skills_and_branches_are_kept(db: Session) -> None:
    east, west = field_day(db, crews=2, visits=6, seed=3), field_day(db, crews=2, visits=6, seed=4)
    inspection = repair_job(db, east.branch, random.Random(5))
    inspection.job_type, inspection.stage = JobType.INSPECTION, JobStage.INSPECTION
    db.flush()

    routes = day_routes.optimize(db, DISPATCHER, MONDAY, seconds=1)

    crews_of = {crew.id: day.branch.id for day in (east, west) for crew in day.crews}
    jobs_of = {job.id: day.branch.id for day in (east, west) for job in day.jobs}
    needs = {r.job_id: r for r in db.query(JobRequirements).all()}
    for stop in routes.stops:
        if stop.crew_id is None or stop.job_id is None:
            continue
        assert crews_of[stop.crew_id] == jobs_of[stop.job_id]  # never another branch's crew
        window = needs[stop.job_id]
        if window.window_start_minute is not None:
            assert stop.start_minute is not None
            assert window.window_start_minute <= stop.start_minute <= window.window_end_minute
    [left] = [stop for stop in routes.stops if stop.job_id == inspection.id]
    assert left.crew_id is None  # nobody holds the inspection skill
    assert "skill" in left.reason.lower(), left.reason


class RoadsDown:
    """A road-network provider whose server is down (what OsrmTravel raises then)."""

    def matrix(self, points: Sequence[Point]) -> TravelMatrix:
        raise VendorUnavailable("osrm did not answer", vendor="osrm", status=None)


def test_a_road_network_outage_routes_the_day_on_straight_lines(db: Session) -> None:
    field_day(db, crews=2, visits=4)
    connect_travel_times(RoadsDown())
    try:
        routes = day_routes.optimize(db, DISPATCHER, MONDAY, seconds=0.5)
    finally:
        disconnect_travel_times()

    assert routes.plan.breakdown["routed"] == 4
    assert routes.plan.note.startswith("road travel times unavailable (osrm did not answer)")
