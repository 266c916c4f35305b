"""The Teams pages and a job's ownership block, through the page routes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy.orm import Session

from roofops.company.service import company_service
from roofops.models import JobStage, Role
from roofops.models.team import HandoffStatus, JobHandoff, TeamFunction
from roofops.models.user import User
from roofops.team.checklists import SALES_TO_PRODUCTION
from roofops.team.service import team_service
from tests.factories import make_branch, make_crew, make_job, make_user
from tests.team.builders import job_owned_by, make_team, named_user
from tests.web.conftest import PASSWORD, Browser, csrf_from, login

SignIn = Callable[[Role], Browser]
HX = {"HX-Request": "true"}


def test_teams_page_shows_boards_and_my_jobs(sign_in: SignIn, db: Session) -> None:
    browser = sign_in(Role.OFFICE)
    sales = make_team(db, TeamFunction.SALES, [browser.user], name="Sales Desk")
    job = job_owned_by(db, sales, browser.user)
    make_job(db, number="NOT-MINE")
    db.commit()
    page = browser.client.get("/teams").text
    mine = page[page.index('id="my-jobs"') : page.index('data-team="Sales Desk"')]
    assert job.number in mine
    assert "NOT-MINE" not in page
    assert 'href="/teams" aria-current="page"' in page
    assert 'id="new-team"' not in page  # teams are the admin's to set up


def test_admin_creates_a_team_from_the_page(sign_in: SignIn, db: Session) -> None:
    admin = sign_in(Role.ADMIN)
    member = named_user(db, Role.FINANCE, "Fran Books")
    db.commit()
    form = {"name": "Finance", "function": "finance", "branch_id": "", "member_ids": str(member.id)}
    created = admin.post("/teams", form)
    assert created.status_code == 303
    page = admin.client.get("/teams").text
    assert 'data-team="Finance"' in page
    assert "Fran Books" in page
    duplicate = admin.post("/teams", {**form, "name": "finance"})
    assert duplicate.status_code == 409
    assert "already exists" in duplicate.text


def test_a_handoff_from_the_job_page(sign_in: SignIn, db: Session) -> None:
    browser = sign_in(Role.OFFICE)
    manager = make_user(db, role=Role.DISPATCHER, password=PASSWORD)
    manager.full_name = "Pat Production"
    sales = make_team(db, TeamFunction.SALES, [browser.user], name="Sales")
    production = make_team(db, TeamFunction.PRODUCTION, [manager], name="Production")
    job = job_owned_by(db, sales, browser.user)
    db.commit()
    assert 'hx-get="/jobs/' in browser.client.get(f"/jobs/{job.id}").text  # the slot
    block = browser.client.get(f"/jobs/{job.id}/ownership").text
    assert f'value="{production.id}/{manager.id}"' in block
    started = browser.post(
        f"/jobs/{job.id}/handoffs", {"target": f"{production.id}/{manager.id}"}, headers=HX
    )
    assert started.status_code == 200
    assert "Handoff started." in started.text
    assert 'id="accept-handoff"' not in started.text
    assert "Waiting for Pat Production" in started.text
    assert started.text.count('type="checkbox"') == len(SALES_TO_PRODUCTION)
    handoff = db.query(JobHandoff).filter_by(job_id=job.id).one()
    not_theirs = browser.post(f"/jobs/{job.id}/handoffs/{handoff.id}/accept", headers=HX)
    assert not_theirs.status_code == 403
    assert "Only the new owner" in not_theirs.text
    browser = _signed_in_as(browser, manager)
    refused = browser.post(f"/jobs/{job.id}/handoffs/{handoff.id}/accept", headers=HX)
    assert refused.status_code == 409
    assert "Tick every required item" in refused.text
    for item in SALES_TO_PRODUCTION:
        url = f"/jobs/{job.id}/handoffs/{handoff.id}/items/{item.code}"
        assert browser.post(url, {"done": "1"}, headers=HX).status_code == 200
    accepted = browser.post(f"/jobs/{job.id}/handoffs/{handoff.id}/accept", headers=HX)
    assert accepted.status_code == 200, accepted.text
    assert "Accepted: Production has the job." in accepted.text
    assert "Pat Production" in accepted.text
    db.refresh(handoff)
    assert handoff.status == HandoffStatus.ACCEPTED


def _signed_in_as(browser: Browser, user: User) -> Browser:
    browser.client.cookies.clear()
    assert login(browser.client, user.email, PASSWORD).status_code == 303
    return Browser(browser.client, user, csrf_from(browser.client.get("/settings").text))


def test_a_bad_handoff_target_is_explained(sign_in: SignIn, db: Session) -> None:
    browser = sign_in(Role.OFFICE)
    job = make_job(db, stage=JobStage.CONTRACT_SIGNED)
    db.commit()
    refused = browser.post(f"/jobs/{job.id}/handoffs", {"target": "nonsense"}, headers=HX)
    assert refused.status_code == 422
    assert "Choose the team and person" in refused.text


def test_roles_without_hand_off_jobs_see_no_handoff_form(sign_in: SignIn, db: Session) -> None:
    lead = sign_in(Role.CREW_LEAD)
    job = make_job(db)
    db.commit()
    block = lead.client.get(f"/jobs/{job.id}/ownership").text
    assert 'id="handoff-form"' not in block
    assert lead.post(f"/jobs/{job.id}/handoffs", {"target": "x/y"}).status_code == 403


def test_crew_loans_page(sign_in: SignIn, db: Session) -> None:
    dispatcher = sign_in(Role.DISPATCHER)
    home, borrower = make_branch(db, name="Denver"), make_branch(db, name="Boulder")
    crew = make_crew(db, branch=home)
    db.commit()
    today = company_service.today(db)
    form = {
        "crew_id": str(crew.id),
        "to_branch_id": str(borrower.id),
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=3)).isoformat(),
        "note": "hail in Boulder",
    }
    assert dispatcher.post("/teams/loans", form).status_code == 303
    clash = dispatcher.post("/teams/loans", form)
    assert clash.status_code == 409
    assert "already lent" in clash.text
    page = dispatcher.client.get("/teams/loans").text
    assert "hail in Boulder" in page
    assert "Under way" in page
    assert "End now" in page
    viewer_page = sign_in(Role.VIEWER).client.get("/teams/loans").text
    assert "hail in Boulder" in viewer_page
    assert 'id="lend-form"' not in viewer_page


def test_admin_edits_a_teams_members(sign_in: SignIn, db: Session) -> None:
    admin = sign_in(Role.ADMIN)
    first = named_user(db, Role.OFFICE, "First Member")
    second = named_user(db, Role.OFFICE, "Second Member")
    team = make_team(db, TeamFunction.SALES, [first], name="Sales")
    db.commit()
    saved = admin.post(f"/teams/{team.id}", {"member_ids": str(second.id), "is_active": "1"})
    assert saved.status_code == 303
    db.refresh(team)
    assert [member.user_id for member in team_service.get(db, team.id).members] == [second.id]
    retired = admin.post(f"/teams/{team.id}", {"member_ids": str(second.id)})
    assert retired.status_code == 303
    assert 'data-team="Sales"' not in admin.client.get("/teams").text
    office = sign_in(Role.OFFICE)
    assert office.post(f"/teams/{team.id}", {"is_active": "1"}).status_code == 403
