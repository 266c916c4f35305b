"""Pages by role: the money a page shows and the stage moves it offers follow the permission
table (the API's side: tests/auth/test_money_by_role.py, tests/job/test_stage_moves_by_role.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

from roofops.models import Role
from tests.auth.test_money_by_role import MONEY_ROLES, OTHER_ROLES, insured_job
from tests.web.conftest import Browser

SignIn = Callable[[Role], Browser]
PAGE_FIGURES = ("$18,450.00", "$14,200.00", "$1,000.00", "$4,250.00")


# ----- money ----------------------------------------------------------------------------
@pytest.mark.parametrize("role", MONEY_ROLES)
def test_the_job_page_shows_money_roles_the_claim(sign_in: SignIn, db: Session, role: Role) -> None:
    job = insured_job(db)
    browser = sign_in(role)

    page = browser.client.get(f"/jobs/{job.id}").text
    settings = browser.client.get("/settings").text

    assert all(figure in page for figure in PAGE_FIGURES)
    assert 'id="money-panel"' in page
    assert 'id="prices"' in settings
    assert browser.client.get("/profit/export.csv").status_code == 200


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_pages_show_other_roles_no_money(sign_in: SignIn, db: Session, role: Role) -> None:
    job = insured_job(db)
    browser = sign_in(role)

    page = browser.client.get(f"/jobs/{job.id}").text
    settings = browser.client.get("/settings").text

    assert "State Farm" in page
    assert not any(figure in page for figure in PAGE_FIGURES)
    assert "$" not in page
    assert 'id="money-panel"' not in page
    assert 'id="prices"' not in settings
    assert 'href="/settings#prices"' not in settings
    assert 'href="/profit"' not in page
    assert browser.client.get("/profit/export.csv").status_code == 403
