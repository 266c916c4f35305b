"""The Performance pages through TestClient: who sees them (and the tab), figures with their
hover definitions and drill-down links, money only for view_money, bad periods on the form."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

from roofops.models import Role
from tests.performance.world import CrewWorld, build_crew_world
from tests.web.conftest import Browser

SignIn = Callable[[Role], Browser]
MARCH = {"start": "2025-03-01", "end": "2025-03-31"}
TABS = ["/performance", "/performance/reps", "/performance/cycle-times", "/performance/backlog"]


@pytest.fixture
def world(db: Session) -> CrewWorld:
    built = build_crew_world(db)
    db.commit()
    return built


@pytest.mark.parametrize("role", [Role.CREW_LEAD, Role.VIEWER])
def test_roles_without_view_performance_get_a_403_and_no_tab(sign_in: SignIn, role: Role) -> None:
    browser = sign_in(role)
    for tab in TABS:
        assert browser.client.get(tab).status_code == 403
    assert 'href="/performance"' not in browser.client.get("/settings").text


@pytest.mark.parametrize("tab", TABS)
def test_each_tab_renders_with_definitions(sign_in: SignIn, world: CrewWorld, tab: str) -> None:
    response = sign_in(Role.DISPATCHER).client.get(tab, params=MARCH)
    assert response.status_code == 200
    assert f'href="{tab}?start=2025-03-01&amp;end=2025-03-31" aria-current="page"' in response.text
    assert "<abbr title=" in response.text


def test_crews_show_figures_that_link_to_their_jobs(sign_in: SignIn, world: CrewWorld) -> None:
    page = sign_in(Role.OFFICE).client.get("/performance", params=MARCH).text
    row = re.search(rf'data-crew-id="{world.crew.id}"(.*?)</tr>', page, re.S)
    assert row is not None
    assert "7.1" in row.group(1)  # 50 squares / 7 crew-days
    assert "50.0 sq / 7 days" in row.group(1)
    assert "40 %" in row.group(1)  # the one final job's margin
    assert "1 open not counted" in row.group(1)
    link = re.search(r'href="(/performance/drill-down\?figure=crew_squares[^"]+)"', row.group(1))
    assert link is not None

    drill = sign_in(Role.OFFICE).client.get(link.group(1).replace("&amp;", "&"))
    assert drill.status_code == 200
    numbers = set(re.findall(r'data-job-number="([^"]+)"', drill.text))
    assert numbers == {world.on_time.number, world.late.number}


def test_money_is_not_on_the_page_without_view_money(sign_in: SignIn, world: CrewWorld) -> None:
    browser = sign_in(Role.DISPATCHER)
    page = browser.client.get("/performance", params=MARCH).text
    assert "Margin" not in page
    assert "crew_margin" not in page
    refused = browser.client.get(
        "/performance/drill-down",
        params=MARCH | {"figure": "crew_margin", "subject": str(world.crew.id)},
    )
    assert refused.status_code == 403
    backlog = browser.client.get("/performance/backlog", params=MARCH).text
    assert "Contract value" not in backlog


def test_a_bad_period_is_explained_over_the_default_one(sign_in: SignIn) -> None:
    response = sign_in(Role.ADMIN).client.get(
        "/performance", params={"start": "2025-03-31", "end": "2025-03-01"}
    )
    assert response.status_code == 422
    assert "the period ends before it starts" in response.text
    assert 'id="period-running"' in response.text  # the default period runs to today
    unknown = sign_in(Role.ADMIN).client.get("/performance/drill-down", params={"figure": "x"})
    assert unknown.status_code == 422
