"""Handing a job from team to team: the checklist, who may do what, and what each step leaves
behind (the job's team and owner, the activity feed, the audit log)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session

from roofops.activity.results import STAGE_KIND
from roofops.activity.service import activity_service
from roofops.exceptions import Conflict, PermissionDenied, ValidationFailed
from roofops.models.activity import ActivityKind
from roofops.models.enums import Role
from roofops.models.job import Job
from roofops.models.team import HandoffStatus, JobHandoff, Team, TeamFunction
from roofops.models.user import User
from roofops.notification.service import notification_service
from roofops.team.checklists import PRODUCTION_TO_FINANCE, SALES_TO_PRODUCTION
from roofops.team.schemas import HandoffCreate
from roofops.team.service import team_service
from tests.factories import make_branch, make_job
from tests.team.builders import job_owned_by, make_team, named_user, person

REQUIRED_SALES_CODES = [item.code for item in SALES_TO_PRODUCTION if item.required]


@dataclass(frozen=True)
class Cast:
    """A sales rep with a signed job, a production manager and a bookkeeper, each in the team
    of their function."""

    rep: User
    manager: User
    bookkeeper: User
    sales: Team
    production: Team
    finance: Team
    job: Job


@pytest.fixture
def people(db: Session) -> Cast:
    rep = named_user(db, Role.OFFICE, "Sam Seller")
    manager = named_user(db, Role.DISPATCHER, "Pat Production")
    bookkeeper = named_user(db, Role.FINANCE, "Fran Books")
    sales = make_team(db, TeamFunction.SALES, [rep], name="Sales")
    production = make_team(db, TeamFunction.PRODUCTION, [manager], name="Production")
    finance = make_team(db, TeamFunction.FINANCE, [bookkeeper], name="Finance")
    job = job_owned_by(db, sales, rep)
    return Cast(rep, manager, bookkeeper, sales, production, finance, job)


def _start(db: Session, people: Cast, note: str = "") -> JobHandoff:
    data = HandoffCreate(to_team_id=people.production.id, to_owner_id=people.manager.id, note=note)
    return team_service.start_handoff(db, person(people.rep), people.job.id, data)


def test_sales_to_production_copies_its_checklist(db: Session, people: Cast) -> None:
    handoff = _start(db, people, note="Signed Friday")
    assert handoff.status == HandoffStatus.OPEN
    assert [item.code for item in handoff.items] == [item.code for item in SALES_TO_PRODUCTION]
    hoa = next(item for item in handoff.items if item.code == "hoa_approval")
    assert hoa.required is False
    assert handoff.from_team_id == people.sales.id
    assert handoff.from_owner_id == people.rep.id


def test_accepting_needs_every_required_item_and_names_the_missing(
    db: Session, people: Cast
) -> None:
    handoff = _start(db, people)
    manager = person(people.manager)
    for code in REQUIRED_SALES_CODES[:-1]:
        team_service.tick(db, manager, people.job.id, handoff.id, code, done=True)
    with pytest.raises(Conflict) as refused:
        team_service.accept(db, manager, people.job.id, handoff.id)
    assert refused.value.details["missing"] == [REQUIRED_SALES_CODES[-1]]
    assert "Customer told what happens next" in refused.value.message
    team_service.tick(db, manager, people.job.id, handoff.id, REQUIRED_SALES_CODES[-1], done=True)
    accepted = team_service.accept(db, manager, people.job.id, handoff.id)
    assert accepted.status == HandoffStatus.ACCEPTED
    assert accepted.closed_by_label == "Pat Production"
    db.refresh(people.job)
    assert people.job.team_id == people.production.id
    assert people.job.owner_id == people.manager.id


def test_unticking_an_item_holds_acceptance_back(db: Session, people: Cast) -> None:
    handoff = _start(db, people)
    manager = person(people.manager)
    for code in REQUIRED_SALES_CODES:
        team_service.tick(db, manager, people.job.id, handoff.id, code, done=True)
    team_service.tick(db, manager, people.job.id, handoff.id, "permit_applied", done=False)
    with pytest.raises(Conflict) as refused:
        team_service.accept(db, manager, people.job.id, handoff.id)
    assert refused.value.details["missing"] == ["permit_applied"]


def test_production_to_finance_has_its_own_checklist(db: Session, people: Cast) -> None:
    job = job_owned_by(db, people.production, people.manager)
    data = HandoffCreate(to_team_id=people.finance.id, to_owner_id=people.bookkeeper.id)
    handoff = team_service.start_handoff(db, person(people.manager), job.id, data)
    assert [item.code for item in handoff.items] == [item.code for item in PRODUCTION_TO_FINANCE]
    assert {"completion_photos", "final_walkthrough", "warranty_registered"} <= {
        item.code for item in handoff.items if item.required
    }


def test_a_job_without_a_team_is_handed_without_a_checklist(db: Session, people: Cast) -> None:
    job = make_job(db)
    data = HandoffCreate(to_team_id=people.sales.id, to_owner_id=people.rep.id)
    handoff = team_service.start_handoff(db, person(people.rep), job.id, data)
    assert handoff.items == []
    team_service.accept(db, person(people.rep), job.id, handoff.id)
    assert (job.team_id, job.owner_id) == (people.sales.id, people.rep.id)


def test_one_open_handoff_per_job(db: Session, people: Cast) -> None:
    _start(db, people)
    with pytest.raises(Conflict, match="already has an open handoff"):
        _start(db, people)


def test_the_owner_must_belong_to_the_receiving_team(db: Session, people: Cast) -> None:
    data = HandoffCreate(to_team_id=people.production.id, to_owner_id=people.bookkeeper.id)
    with pytest.raises(ValidationFailed) as refused:
        team_service.start_handoff(db, person(people.rep), people.job.id, data)
    assert refused.value.details["field"] == "to_owner_id"


def test_a_team_of_another_branch_cannot_take_the_job(db: Session, people: Cast) -> None:
    north, south = make_branch(db), make_branch(db)
    people.job.branch_id = north.id
    far = make_team(db, TeamFunction.PRODUCTION, [people.manager], branch=south, name="South")
    data = HandoffCreate(to_team_id=far.id, to_owner_id=people.manager.id)
    with pytest.raises(ValidationFailed, match="another branch"):
        team_service.start_handoff(db, person(people.rep), people.job.id, data)


def test_only_the_receiving_side_or_an_admin_accepts(db: Session, people: Cast) -> None:
    handoff = _start(db, people)
    for code in REQUIRED_SALES_CODES:
        team_service.tick(db, person(people.rep), people.job.id, handoff.id, code, done=True)
    with pytest.raises(PermissionDenied, match="only the new owner"):
        team_service.accept(db, person(people.bookkeeper), people.job.id, handoff.id)
    admin = named_user(db, Role.ADMIN, "Ada Admin")
    assert team_service.accept(db, person(admin), people.job.id, handoff.id).status == (
        HandoffStatus.ACCEPTED
    )


@pytest.mark.parametrize("role", [Role.CREW_LEAD, Role.VIEWER])
def test_roles_without_hand_off_jobs_are_refused(db: Session, people: Cast, role: Role) -> None:
    outsider = named_user(db, role, "No Handoffs")
    data = HandoffCreate(to_team_id=people.production.id, to_owner_id=people.manager.id)
    with pytest.raises(PermissionDenied, match="hand_off_jobs"):
        team_service.start_handoff(db, person(outsider), people.job.id, data)


def test_cancel_keeps_the_job_where_it_was_and_frees_it(db: Session, people: Cast) -> None:
    handoff = _start(db, people)
    cancelled = team_service.cancel(
        db, person(people.rep), people.job.id, handoff.id, "customer asked to wait"
    )
    assert cancelled.status == HandoffStatus.CANCELLED
    assert people.job.team_id == people.sales.id
    with pytest.raises(Conflict, match="cancelled"):
        team_service.accept(db, person(people.manager), people.job.id, handoff.id)
    assert _start(db, people).status == HandoffStatus.OPEN  # a new one may start


def test_each_step_lands_in_the_activity_feed(db: Session, people: Cast) -> None:
    handoff = _start(db, people, note="Deposit by check")
    for code in REQUIRED_SALES_CODES:
        team_service.tick(db, person(people.manager), people.job.id, handoff.id, code, done=True)
    team_service.accept(db, person(people.manager), people.job.id, handoff.id)
    entries = activity_service.feed_page(db, people.job.id).entries
    feed = [entry for entry in entries if entry.kind != STAGE_KIND]
    assert [activity.kind for activity in feed] == [ActivityKind.HANDOFF] * 2
    bodies = sorted(activity.body for activity in feed)
    assert bodies == [
        "Handoff from Sales to Production started, for Pat Production to accept: Deposit by check",
        "Pat Production accepted the job for Production",
    ]
    assert {activity.data["handoff_id"] for activity in feed} == {str(handoff.id)}


def test_ownership_and_boards(db: Session, people: Cast) -> None:
    handoff = _start(db, people)
    ownership = team_service.ownership(db, people.job.id)
    assert ownership.team.name == "Sales"
    assert ownership.owner_label == "Sam Seller"
    assert ownership.open_handoff.id == handoff.id
    boards = {board.team.name: board for board in team_service.boards(db)}
    assert [group.owner_label for group in boards["Sales"].owners] == ["Sam Seller"]
    assert [h.id for h in boards["Production"].incoming] == [handoff.id]
    assert [h.id for h in boards["Sales"].outgoing] == [handoff.id]
    assert [job.id for job in team_service.my_jobs(db, person(people.rep))] == [people.job.id]


def test_the_people_a_step_concerns_are_notified(db: Session, people: Cast) -> None:
    handoff = _start(db, people)
    inbox = notification_service.inbox(db, person(people.manager))
    assert [row.title for row in inbox.notifications] == [
        f"Job {people.job.number} is being handed to you"
    ]
    assert inbox.notifications[0].link == f"/jobs/{people.job.id}"
    assert notification_service.unread_count(db, person(people.rep)) == 0  # they started it
    for code in REQUIRED_SALES_CODES:
        team_service.tick(db, person(people.manager), people.job.id, handoff.id, code, done=True)
    team_service.accept(db, person(people.manager), people.job.id, handoff.id)
    told = notification_service.inbox(db, person(people.rep))
    assert [row.title for row in told.notifications] == [f"Job {people.job.number} handed over"]
    assert notification_service.unread_count(db, person(people.manager)) == 1
