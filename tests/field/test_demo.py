"""The demo's field day: Carlos Crewlead leads a crew with work on the as-of day (left for him
to start), and the generated rows stay row for row what the generator made."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy.orm import Session

from roofops.auth.service import principal_for, user_service
from roofops.company.service import company_service
from roofops.demo.field import report_field_day
from roofops.demo.generator import FIRST_CREW_LEAD, generate
from roofops.demo.records import DemoData
from roofops.field.results import CrewState
from roofops.field.service import field_service
from roofops.kit.time import utcnow
from roofops.models import ActorType, JobStage
from roofops.sandbox.demo import build_demo, demo_service
from tests.factories import make_crew
from tests.field.world import planned_job

AS_OF = date(2026, 12, 4)  # a Friday on which the first published schedule has work
SIZE = 0.1


def test_the_demo_has_crews_in_the_field_and_a_crew_for_carlos(db: Session) -> None:
    summary = build_demo(db, size=SIZE, seed=5, as_of=AS_OF)
    lead = next(user for user in summary.users if user.role.value == "crew_lead")

    states = field_service.day_states(db, AS_OF)
    carlos = user_service.find_by_email(db, lead.email)
    assert carlos is not None
    led = field_service.led_crews(db, principal_for(carlos, actor_type=ActorType.USER))
    counts = Counter(state.state for state in states)

    assert len(led) == 1
    carlos_day = next(state for state in states if state.crew_id == led[0].id)
    assert carlos_day.planned
    assert carlos_day.state == CrewState.SCHEDULED
    assert counts[CrewState.SCHEDULED] == sum(1 for state in states if state.planned)
    assert demo_service.database_digest(db) == generate(SIZE, 5, AS_OF).digest()


def test_crews_with_work_report_without_moving_any_job(db: Session) -> None:
    day = field_service.today(db)
    on_roofs = [make_crew(db) for _ in range(4)]
    waiting = [make_crew(db) for _ in range(3)]
    roofs = [planned_job(db, crew, day, stage=JobStage.IN_PRODUCTION) for crew in on_roofs]
    planned = [planned_job(db, crew, day) for crew in waiting]
    carlos = make_crew(db)
    carlos.lead_name = FIRST_CREW_LEAD
    planned_job(db, carlos, day)

    time_zone = company_service.get(db).time_zone
    report_field_day(db, DemoData(size=SIZE, seed=5, as_of=day), time_zone)

    states = {state.crew_id: state for state in field_service.day_states(db, day)}
    roof_states = Counter(states[crew.id].state for crew in on_roofs)
    waiting_states = Counter(states[crew.id].state for crew in waiting)
    assert roof_states == {
        CrewState.ON_SITE: 2,
        CrewState.FINISHED: 1,
        CrewState.BLOCKED: 1,
    }
    assert waiting_states == {
        CrewState.EN_ROUTE: 1,
        CrewState.BLOCKED: 1,
        CrewState.SCHEDULED: 1,
    }
    assert states[carlos.id].state == CrewState.SCHEDULED
    assert all(job.stage == JobStage.IN_PRODUCTION for job in roofs)
    assert all(job.stage == JobStage.SCHEDULED for job in planned)
    assert all(s.note for s in states.values() if s.state == CrewState.BLOCKED)
    assert all(s.since is None or s.since <= utcnow() for s in states.values())
