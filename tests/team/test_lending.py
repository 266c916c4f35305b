"""Lending a crew to another branch: the rules, and the branch each crew works for on a day."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from roofops.company.service import company_service
from roofops.exceptions import Conflict, PermissionDenied, ValidationFailed
from roofops.models.enums import Role
from roofops.team.lending import lending_service
from roofops.team.schemas import CrewLoanCreate
from tests.factories import make_branch, make_crew, make_user
from tests.team.builders import person

MONDAY = date(2026, 12, 7)


def _loan(crew_id: object, branch_id: object, starts: date, ends: date) -> CrewLoanCreate:
    return CrewLoanCreate.model_validate(
        {"crew_id": crew_id, "to_branch_id": branch_id, "starts_on": starts, "ends_on": ends}
    )


def test_branch_on_follows_the_loan_day_by_day(db: Session) -> None:
    home, borrower = make_branch(db), make_branch(db)
    lent, stays = make_crew(db, branch=home), make_crew(db, branch=home)
    dispatcher = person(make_user(db, role=Role.DISPATCHER))
    lending_service.lend(
        db, dispatcher, _loan(lent.id, borrower.id, MONDAY, MONDAY + timedelta(days=2))
    )
    crews = [lent.id, stays.id]
    assert lending_service.branch_on(db, crews, MONDAY - timedelta(days=1)) == {
        lent.id: home.id,
        stays.id: home.id,
    }
    for offset in range(3):
        day = MONDAY + timedelta(days=offset)
        assert lending_service.branch_on(db, crews, day) == {
            lent.id: borrower.id,
            stays.id: home.id,
        }
    assert lending_service.branch_on(db, crews, MONDAY + timedelta(days=3))[lent.id] == home.id
    assert lending_service.branch_on(db, [], MONDAY) == {}


@pytest.mark.parametrize(
    ("starts", "ends"),
    [(0, 0), (-3, 0), (4, 9), (2, 2), (-10, 20)],
    ids=["same-first-day", "ends-on-first-day", "starts-on-last-day", "inside", "around"],
)
def test_overlapping_loans_are_refused(db: Session, starts: int, ends: int) -> None:
    crew, other = make_crew(db), make_branch(db)
    dispatcher = person(make_user(db, role=Role.DISPATCHER))
    lending_service.lend(db, dispatcher, _loan(crew.id, other.id, MONDAY, MONDAY + timedelta(4)))
    clash = _loan(crew.id, other.id, MONDAY + timedelta(starts), MONDAY + timedelta(ends))
    with pytest.raises(Conflict, match="already lent"):
        lending_service.lend(db, dispatcher, clash)


def test_back_to_back_loans_are_fine(db: Session) -> None:
    crew, first, second = make_crew(db), make_branch(db), make_branch(db)
    dispatcher = person(make_user(db, role=Role.DISPATCHER))
    lending_service.lend(db, dispatcher, _loan(crew.id, first.id, MONDAY, MONDAY + timedelta(2)))
    later = _loan(crew.id, second.id, MONDAY + timedelta(3), MONDAY + timedelta(5))
    lending_service.lend(db, dispatcher, later)
    assert [loan.to_branch_id for loan in lending_service.loans(db, crew_id=crew.id)] == [
        first.id,
        second.id,
    ]


def test_bad_loans_are_422(db: Session) -> None:
    crew, other = make_crew(db), make_branch(db)
    dispatcher = person(make_user(db, role=Role.DISPATCHER))
    backwards = _loan(crew.id, other.id, MONDAY, MONDAY - timedelta(1))
    with pytest.raises(ValidationFailed, match="end on or after"):
        lending_service.lend(db, dispatcher, backwards)
    with pytest.raises(ValidationFailed, match="already belongs"):
        lending_service.lend(db, dispatcher, _loan(crew.id, crew.branch_id, MONDAY, MONDAY))
    with pytest.raises(ValidationFailed, match="at most"):
        lending_service.lend(
            db, dispatcher, _loan(crew.id, other.id, MONDAY, MONDAY + timedelta(120))
        )


@pytest.mark.parametrize("role", [Role.OFFICE, Role.CREW_LEAD, Role.FINANCE, Role.VIEWER])
def test_only_dispatch_planners_lend(db: Session, role: Role) -> None:
    crew, other = make_crew(db), make_branch(db)
    with pytest.raises(PermissionDenied, match="plan_dispatch"):
        lending_service.lend(
            db, person(make_user(db, role=role)), _loan(crew.id, other.id, MONDAY, MONDAY)
        )


def test_ending_a_loan(db: Session) -> None:
    crew, other = make_crew(db), make_branch(db)
    dispatcher = person(make_user(db, role=Role.DISPATCHER))
    today = company_service.today(db)
    running = lending_service.lend(
        db, dispatcher, _loan(crew.id, other.id, today - timedelta(2), today + timedelta(2))
    )
    upcoming = lending_service.lend(
        db, dispatcher, _loan(crew.id, other.id, today + timedelta(5), today + timedelta(6))
    )
    lending_service.end(db, dispatcher, running.id)
    assert running.ends_on == today - timedelta(1)  # the days worked stay on record
    lending_service.end(db, dispatcher, upcoming.id)
    assert [loan.id for loan in lending_service.loans(db, crew_id=crew.id)] == [running.id]
    with pytest.raises(Conflict, match="already over"):
        lending_service.end(db, dispatcher, running.id)


def test_loans_filter_by_either_branch_and_by_end(db: Session) -> None:
    home, borrower, elsewhere = make_branch(db), make_branch(db), make_branch(db)
    crew = make_crew(db, branch=home)
    dispatcher = person(make_user(db, role=Role.DISPATCHER))
    old = lending_service.lend(db, dispatcher, _loan(crew.id, borrower.id, MONDAY, MONDAY))
    new = lending_service.lend(
        db, dispatcher, _loan(crew.id, borrower.id, MONDAY + timedelta(7), MONDAY + timedelta(8))
    )
    assert [loan.id for loan in lending_service.loans(db, branch_id=home.id)] == [old.id, new.id]
    assert [loan.id for loan in lending_service.loans(db, branch_id=borrower.id)] == [
        old.id,
        new.id,
    ]
    assert lending_service.loans(db, branch_id=elsewhere.id) == []
    ending = lending_service.loans(db, branch_id=home.id, ending_from=MONDAY + timedelta(1))
    assert [loan.id for loan in ending] == [new.id]
