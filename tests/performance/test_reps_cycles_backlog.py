"""Sales reps, cycle times per stage and the backlog against hand-computed rows."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from roofops.exceptions import ValidationFailed
from roofops.models.enums import JobStage, Role
from roofops.performance.results import Figure
from roofops.performance.service import performance_service
from tests.factories import make_crew, make_requirements
from tests.performance.world import days, job_with_history, publish

LEAD, EST, CS, MO, SCH, IP, DONE = (
    JobStage.LEAD,
    JobStage.ESTIMATE,
    JobStage.CONTRACT_SIGNED,
    JobStage.MATERIALS_ORDERED,
    JobStage.SCHEDULED,
    JobStage.IN_PRODUCTION,
    JobStage.COMPLETED,
)
MARCH = (date(2025, 3, 1), date(2025, 3, 31))


def test_a_reps_leads_decisions_contracts_and_days_to_contract(db: Session) -> None:
    won_here = job_with_history(
        db, [(LEAD, date(2025, 3, 2)), (CS, date(2025, 3, 12))], contract_cents=1_500_000
    )
    job_with_history(db, [(LEAD, date(2025, 3, 5)), (JobStage.LOST, date(2025, 3, 20))])
    won_from_february = job_with_history(
        db, [(LEAD, date(2025, 2, 20)), (CS, date(2025, 3, 3))], contract_cents=2_500_001
    )
    job_with_history(db, [(LEAD, date(2025, 3, 25))])
    job_with_history(db, [(LEAD, date(2025, 3, 9))], sales_rep="Bo Closer")

    ann, bo = performance_service.reps(db, Role.OFFICE, *MARCH)
    assert (ann.sales_rep, ann.leads, ann.won, ann.lost) == ("Ann Seller", 3, 2, 1)
    assert ann.close_rate == pytest.approx(2 / 3)
    assert ann.average_contract_cents == 2_000_001  # 2,000,000.5 rounds half up
    assert ann.median_days_to_contract == pytest.approx((10 + 11) / 2)
    assert (bo.sales_rep, bo.leads, bo.won, bo.close_rate) == ("Bo Closer", 1, 0, None)

    drill = performance_service.drill_down(
        db,
        Role.OFFICE,
        Figure.REP_AVERAGE_CONTRACT,
        period_start=MARCH[0],
        period_end=MARCH[1],
        subject="Ann Seller",
    )
    contracts = {row.number: row.values["contract"] for row in drill.rows}
    assert contracts == {won_here.number: 1_500_000, won_from_february.number: 2_500_001}
    decided = performance_service.drill_down(
        db,
        Role.OFFICE,
        Figure.REP_CLOSE_RATE,
        period_start=MARCH[0],
        period_end=MARCH[1],
        subject="Ann Seller",
    )
    assert len(decided.rows) == ann.won + ann.lost


def test_money_of_reps_is_hidden_without_view_money(db: Session) -> None:
    job_with_history(db, [(LEAD, date(2025, 3, 2)), (CS, date(2025, 3, 12))], contract_cents=9_00)
    [rep] = performance_service.reps(db, Role.DISPATCHER, *MARCH)
    assert (rep.won, rep.average_contract_cents, rep.margin) == (1, None, None)


def test_cycle_time_per_stage_over_visits_that_ended_in_the_period(db: Session) -> None:
    # Lead visits ending in March: 10, 15 and 11 days; one lead still open; one ended in April.
    job_with_history(
        db, [(LEAD, date(2025, 3, 2)), (EST, date(2025, 3, 12)), (CS, date(2025, 4, 2))]
    )
    job_with_history(db, [(LEAD, date(2025, 3, 5)), (EST, date(2025, 3, 20))])
    job_with_history(db, [(LEAD, date(2025, 2, 20)), (EST, date(2025, 3, 3))])
    job_with_history(db, [(LEAD, date(2025, 3, 25))])
    job_with_history(db, [(LEAD, date(2025, 3, 28)), (EST, date(2025, 4, 3))])

    stages = {row.stage: row for row in performance_service.cycle_times(db, *MARCH)}
    lead = stages[LEAD]
    assert lead.visits == 3
    assert lead.median_days == pytest.approx(11)
    assert lead.p80_days == pytest.approx(13.4)  # 11 + 0.6 * (15 - 11), linear interpolation
    assert stages[EST].visits == 0
    assert stages[EST].median_days is None

    drill = performance_service.drill_down(
        db,
        Role.VIEWER,
        Figure.STAGE_CYCLE_TIME,
        period_start=MARCH[0],
        period_end=MARCH[1],
        subject="lead",
    )
    assert sorted(row.values["days"] for row in drill.rows) == pytest.approx([10, 11, 15])


def test_backlog_in_crew_days_at_a_date(db: Session) -> None:
    crew = make_crew(db)  # 20 squares a day
    sized_by_plan = job_with_history(
        db, [(LEAD, date(2025, 1, 2)), (CS, date(2025, 3, 1))], contract_cents=1_000_000
    )
    make_requirements(db, sized_by_plan, production_days=3)
    job_with_history(  # 40 squares, no crew yet: the active crews' median capacity, 20/day
        db,
        [(LEAD, date(2025, 1, 2)), (MO, date(2025, 3, 5))],
        squares="40",
        contract_cents=2_000_000,
    )
    started = job_with_history(
        db,
        [(LEAD, date(2025, 1, 2)), (SCH, date(2025, 3, 5)), (IP, date(2025, 3, 10))],
        crew=crew,
        squares="100",
        contract_cents=3_000_000,
    )
    publish(db, date(2025, 3, 6), [(started, crew, days(date(2025, 3, 10), 5))])
    job_with_history(db, [(LEAD, date(2025, 1, 2)), (CS, date(2025, 3, 2))], squares=None)
    job_with_history(  # finished after the date: still backlog on it
        db,
        [(LEAD, date(2025, 1, 2)), (CS, date(2025, 3, 2)), (DONE, date(2025, 3, 20))],
        squares="20",
    )
    job_with_history(db, [(LEAD, date(2025, 1, 2)), (DONE, date(2025, 3, 3))])  # done before

    backlog = performance_service.backlog(db, date(2025, 3, 11))
    assert backlog.jobs == 5
    # 3 (production days) + 40/20 + (100/20 - 2 worked: Mar 10 and 11) + 20/20; one unsized
    assert backlog.crew_days == pytest.approx(3 + 2 + 3 + 1)
    assert (backlog.from_requirements, backlog.from_squares, backlog.unsized) == (1, 3, 1)
    assert backlog.contract_cents is not None
    assert backlog.contract_cents >= 6_000_000
    hidden = performance_service.backlog(db, date(2025, 3, 11), role=Role.DISPATCHER)
    assert (hidden.contract_cents, hidden.source_shares) == (None, {})

    drill = performance_service.drill_down(
        db, Role.ADMIN, Figure.BACKLOG, period_start=date(2025, 3, 1), period_end=date(2025, 3, 11)
    )
    assert sum(row.values["remaining_days"] or 0 for row in drill.rows) == backlog.crew_days
    assert sum(row.values["contract"] or 0 for row in drill.rows) == backlog.contract_cents


def test_bad_periods_and_subjects_are_refused_with_a_reason(db: Session) -> None:
    with pytest.raises(ValidationFailed, match="ends before it starts"):
        performance_service.crews(db, Role.ADMIN, date(2025, 3, 2), date(2025, 3, 1))
    with pytest.raises(ValidationFailed, match="at most"):
        performance_service.crews(db, Role.ADMIN, date(2023, 1, 1), date(2025, 3, 1))
    with pytest.raises(ValidationFailed, match="crew id"):
        performance_service.drill_down(
            db,
            Role.ADMIN,
            Figure.CREW_SQUARES,
            period_start=MARCH[0],
            period_end=MARCH[1],
            subject="alpha",
        )
    with pytest.raises(ValidationFailed, match="a stage"):
        performance_service.drill_down(
            db,
            Role.ADMIN,
            Figure.STAGE_CYCLE_TIME,
            period_start=MARCH[0],
            period_end=MARCH[1],
            subject="nowhere",
        )
