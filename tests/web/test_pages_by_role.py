"""Pages by role: the money a page shows and the stage moves it offers follow the permission
table (the API's side: tests/auth/test_money_by_role.py, tests/job/test_stage_moves_by_role.py)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

from roofops.auth.principal import Principal
from roofops.exceptions import PermissionDenied
from roofops.models import ActorType, JobStage, Role
from roofops.web.context import PageContext
from tests.auth.test_money_by_role import MONEY_ROLES, insured_job
from tests.factories import make_job
from tests.web.conftest import Browser

SignIn = Callable[[Role], Browser]
PAGE_FIGURES = ("$18,450.00", "$14,200.00", "$1,000.00", "$4,250.00")


# ----- money ----------------------------------------------------------------------------
@pytest.mark.parametrize("role", list(Role))
def test_pages_show_money_to_money_roles_only(sign_in: SignIn, db: Session, role: Role) -> None:
    job = insured_job(db)
    browser = sign_in(role)
    sees = role in MONEY_ROLES

    page = browser.client.get(f"/jobs/{job.id}").text
    settings = browser.client.get("/settings").text
    export = browser.client.get("/profit/export.csv")

    assert "State Farm" in page  # the claim itself is no secret
    assert all((figure in page) == sees for figure in PAGE_FIGURES)
    assert ("$" in page) == sees
    assert ('id="money-panel"' in page) == sees
    assert ('href="/profit"' in page) == sees
    assert ('id="prices"' in settings) == sees
    assert ('href="/settings#prices"' in settings) == sees
    assert export.status_code == (200 if sees else 403)


# ----- stage moves ------------------------------------------------------------------------
HX = {"HX-Request": "true"}
OPTION = re.compile(r'<option value="([a-z_]+)"')


def _offered(browser: Browser, job_id: object) -> list[str]:
    page = browser.client.get(f"/jobs/{job_id}").text
    form = page[page.index('id="stage-panel"') :]
    return OPTION.findall(form)


def test_the_job_page_offers_each_role_its_own_moves(sign_in: SignIn, db: Session) -> None:
    job = make_job(db, stage=JobStage.COMPLETED)
    db.commit()

    assert _offered(sign_in(Role.FINANCE), job.id) == ["invoiced", "paid"]
    assert _offered(sign_in(Role.ADMIN), job.id) == ["invoiced", "paid"]
    crew_lead = sign_in(Role.CREW_LEAD)
    assert _offered(crew_lead, job.id) == []
    assert 'id="no-moves"' in crew_lead.client.get(f"/jobs/{job.id}").text


def test_production_roles_see_no_billing_or_closing_moves(sign_in: SignIn, db: Session) -> None:
    job = make_job(db, stage=JobStage.SCHEDULED)
    db.commit()

    offered = _offered(sign_in(Role.DISPATCHER), job.id)

    assert offered == ["materials_ordered", "in_production", "completed"]
    assert "cancelled" in _offered(sign_in(Role.OFFICE), job.id)


def test_a_move_outside_the_role_is_refused_next_to_the_form(sign_in: SignIn, db: Session) -> None:
    job = make_job(db, stage=JobStage.COMPLETED)
    db.commit()
    browser = sign_in(Role.CREW_LEAD)

    fragment = browser.post(f"/jobs/{job.id}/stage", {"stage": "invoiced"}, headers=HX)
    page = browser.post(f"/jobs/{job.id}/stage", {"stage": "paid"})

    assert fragment.status_code == page.status_code == 403
    assert 'id="move-error"' in fragment.text
    assert "move_to_billing" in fragment.text
    assert "move_to_billing" in page.text
    db.refresh(job)
    assert job.stage == JobStage.COMPLETED


def test_a_template_cannot_format_money_for_a_role_without_it() -> None:
    """page.money() is the one door money takes onto a page: a template that forgets the rule
    fails loudly (403) instead of printing the figure."""
    crew_lead = Principal(None, "lead@example.com", "Lead", Role.CREW_LEAD, ActorType.USER)
    office = Principal(None, "office@example.com", "Office", Role.OFFICE, ActorType.USER)

    assert PageContext(principal=office).money(1_845_000) == "$18,450.00"
    with pytest.raises(PermissionDenied, match="view_money"):
        PageContext(principal=crew_lead).money(1_845_000)
