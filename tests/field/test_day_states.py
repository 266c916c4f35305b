"""Each crew's state on a day: the day's last report, else scheduled when the published plan
gives it work, else off (weekend, holiday, time off) or idle; the planned work in order."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from roofops.field.results import CrewDayState, CrewState
from roofops.field.service import field_service
from roofops.kit.time import utcnow
from roofops.models import Crew, Job
from roofops.models.dispatch import CrewTimeOff, DispatchPlan, Holiday, TimeOffKind
from roofops.models.field import FieldReport, FieldStatus
from roofops.models.team import CrewLoan
from tests.dispatch.field_world import published_visit
from tests.factories import make_branch, make_crew, make_job
from tests.field.world import planned_job

MONDAY = date(2026, 12, 7)


def _state_of(db: Session, crew: Crew, day: date) -> CrewDayState:
    return next(s for s in field_service.day_states(db, day) if s.crew_id == crew.id)


def _reported(db: Session, crew: Crew, job: Job, day: date, *statuses: FieldStatus) -> None:
    """Reports written as on that day, a minute apart (a past day is not today)."""
    start = utcnow() - timedelta(hours=len(statuses))
    for n, status in enumerate(statuses):
        db.add(
            FieldReport(
                crew_id=crew.id,
                job_id=job.id,
                day=day,
                status=status,
                note="rain" if status == FieldStatus.BLOCKED else "",
                occurred_at=start + timedelta(minutes=n),
            )
        )
    db.flush()


def test_the_last_report_of_the_day_is_the_crews_state(db: Session) -> None:
    crews = [make_crew(db) for _ in range(5)]
    jobs = [planned_job(db, crew, MONDAY) for crew in crews]
    en_route, on_site, finished, blocked, scheduled = zip(crews, jobs, strict=True)
    _reported(db, *en_route, MONDAY, FieldStatus.EN_ROUTE)
    _reported(db, *on_site, MONDAY, FieldStatus.EN_ROUTE, FieldStatus.ON_SITE)
    _reported(db, *finished, MONDAY, FieldStatus.ON_SITE, FieldStatus.FINISHED)
    _reported(db, *blocked, MONDAY, FieldStatus.ON_SITE, FieldStatus.BLOCKED)
    _reported(db, *scheduled, MONDAY - timedelta(days=3), FieldStatus.FINISHED)  # last Friday

    states = [_state_of(db, crew, MONDAY) for crew in crews]

    assert [s.state for s in states] == [
        CrewState.EN_ROUTE,
        CrewState.ON_SITE,
        CrewState.FINISHED,
        CrewState.BLOCKED,
        CrewState.SCHEDULED,
    ]
    assert states[3].note == "rain"
    assert states[3].since is not None
    assert (states[4].since, states[4].job_id) == (None, jobs[4].id)
    assert [work.job_id for work in states[1].planned] == [jobs[1].id]


def test_a_crew_without_work_is_off_on_its_days_off_and_idle_otherwise(db: Session) -> None:
    idle, weekend, away, holiday_crew = (make_crew(db) for _ in range(4))
    weekend.working_weekdays = "12345"
    db.add(
        CrewTimeOff(crew_id=away.id, starts_on=MONDAY, ends_on=MONDAY, kind=TimeOffKind.TIME_OFF)
    )
    db.flush()

    assert _state_of(db, idle, MONDAY).state == CrewState.IDLE
    assert _state_of(db, weekend, MONDAY - timedelta(days=1)).state == CrewState.OFF  # Sunday
    assert _state_of(db, away, MONDAY).state == CrewState.OFF
    db.add(Holiday(on=MONDAY + timedelta(days=1), name="Founders' day"))
    db.flush()
    assert _state_of(db, holiday_crew, MONDAY + timedelta(days=1)).state == CrewState.OFF


def test_planned_work_comes_from_the_published_plan_only(db: Session) -> None:
    crew = make_crew(db)
    roof = planned_job(db, crew, MONDAY - timedelta(days=1), days=3)  # Sunday to Tuesday
    repair = make_job(db)
    published_visit(db, repair, crew, MONDAY, start=13 * 60)
    draft = published_visit(db, make_job(db), crew, MONDAY, start=15 * 60)
    draft.status = draft.status.DRAFT
    db.flush()

    state = _state_of(db, crew, MONDAY)

    assert [(w.job_id, w.phase, w.start_minute) for w in state.planned] == [
        (roof.id, "install", None),
        (repair.id, "visit", 13 * 60),
    ]
    assert state.planned[1].address.endswith("CO 80202")
    assert state.planned[1].latitude is not None
    assert _state_of(db, crew, MONDAY + timedelta(days=2)).planned == ()


def test_day_states_of_one_branch(db: Session) -> None:
    north, south = make_branch(db, name="North"), make_branch(db, name="South")
    in_north = make_crew(db, branch=north)
    make_crew(db, branch=south)

    states = field_service.day_states(db, MONDAY, branch_id=north.id)

    assert [(s.crew_id, s.branch_id) for s in states] == [(in_north.id, north.id)]


def test_a_lent_crew_works_for_the_borrowing_branch(db: Session) -> None:
    home, borrower = make_branch(db, name="Home"), make_branch(db, name="Borrower")
    lent = make_crew(db, branch=home)
    db.add(
        CrewLoan(
            crew_id=lent.id,
            to_branch_id=borrower.id,
            starts_on=MONDAY,
            ends_on=MONDAY + timedelta(days=1),
            created_at=utcnow(),
        )
    )
    db.flush()

    at_borrower = field_service.day_states(db, MONDAY, branch_id=borrower.id)
    at_home = field_service.day_states(db, MONDAY, branch_id=home.id)

    assert [(s.crew_id, s.branch_id) for s in at_borrower] == [(lent.id, borrower.id)]
    assert at_home == []
    back_home = _state_of(db, lent, MONDAY + timedelta(days=2))
    assert back_home.branch_id == home.id


def test_a_crews_page_days_carry_the_last_report_on_each_job(db: Session) -> None:
    crew = make_crew(db)
    first, second = planned_job(db, crew, MONDAY), make_job(db)
    published_visit(db, second, crew, MONDAY, start=600)
    _reported(db, crew, first, MONDAY, FieldStatus.ON_SITE, FieldStatus.FINISHED)
    _reported(db, crew, second, MONDAY, FieldStatus.EN_ROUTE)

    days = field_service.crew_days(db, crew.id, MONDAY, 3)

    assert [d.state.day for d in days] == [MONDAY + timedelta(days=n) for n in range(3)]
    assert {job_id: r.status for job_id, r in days[0].last_reports.items()} == {
        first.id: FieldStatus.FINISHED,
        second.id: FieldStatus.EN_ROUTE,
    }
    assert days[0].state.state == CrewState.EN_ROUTE
    assert days[1].last_reports == {}
    assert [w.job_id for w in days[1].state.planned] == [first.id]  # the install's second day


def test_plans_awaiting_the_crews_acknowledgement(db: Session) -> None:
    crew = make_crew(db)
    plan: DispatchPlan = published_visit(db, make_job(db), crew, field_service.today(db), 480)
    unchanged = make_crew(db)

    pending = field_service.pending_changes(db, crew.id)

    assert [(p.plan_id, p.kind.value) for p in pending] == [(plan.id, "routes")]
    assert field_service.pending_changes(db, unchanged.id) == []


def test_a_crews_week_tells_each_day_apart(db: Session) -> None:
    """The page's days are read at once; each day still gets its own reports, time off,
    holiday and loan."""
    home, borrower = make_branch(db, name="Home"), make_branch(db, name="Borrower")
    crew = make_crew(db, branch=home)
    job = planned_job(db, crew, MONDAY, days=2)
    _reported(db, crew, job, MONDAY + timedelta(days=1), FieldStatus.ON_SITE)
    db.add_all(
        [
            CrewTimeOff(
                crew_id=crew.id,
                starts_on=MONDAY + timedelta(days=2),
                ends_on=MONDAY + timedelta(days=2),
                kind=TimeOffKind.TIME_OFF,
            ),
            Holiday(on=MONDAY + timedelta(days=3), name="Founders' day"),
            CrewLoan(
                crew_id=crew.id,
                to_branch_id=borrower.id,
                starts_on=MONDAY + timedelta(days=4),
                ends_on=MONDAY + timedelta(days=4),
                created_at=utcnow(),
            ),
        ]
    )
    db.flush()

    days = field_service.crew_days(db, crew.id, MONDAY, 6)

    assert [d.state.state for d in days] == [
        CrewState.SCHEDULED,
        CrewState.ON_SITE,
        CrewState.OFF,  # time off
        CrewState.OFF,  # holiday
        CrewState.IDLE,
        CrewState.OFF,  # Saturday
    ]
    assert [set(d.last_reports) for d in days[:3]] == [set(), {job.id}, set()]
    assert [d.state.branch_id for d in days[3:6]] == [home.id, borrower.id, home.id]
    assert {d.state.color for d in days} == {crew.color}  # the map needs no second read
