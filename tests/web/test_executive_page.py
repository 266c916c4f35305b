"""The executive page: its tab and who sees it, KPI tiles with their hover definitions and
"How is this computed?", changes, source shares and partial badges, charts, the period picker,
and bad input refused with a message."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

from roofops.kpi.registry import KPIS
from roofops.models import Role
from tests.kpi.conftest import Company, company  # noqa: F401 (the demo company fixture)
from tests.web.conftest import Browser


def test_the_tab_and_the_page_are_for_admins_and_finance(
    sign_in: Callable[[Role], Browser],
) -> None:
    for role in Role:
        browser = sign_in(role)
        allowed = role in (Role.ADMIN, Role.FINANCE)
        assert ('href="/executive"' in browser.client.get("/settings").text) is allowed, role
        assert browser.client.get("/executive").status_code == (200 if allowed else 403), role


def test_each_tile_says_what_it_is_how_it_changed_and_where_it_came_from(
    sign_in: Callable[[Role], Browser],
    db: Session,
    company: Company,  # noqa: F811
) -> None:
    db.commit()
    page = sign_in(Role.FINANCE).client.get("/executive?grain=month&period=2026-05-10")

    assert page.status_code == 200
    html = page.text
    assert "May 2026" in html
    for kpi in KPIS:
        assert f'data-kpi="{kpi.key}"' in html
        assert kpi.formula.replace("'", "&#39;") in html
    assert "How is this computed?" in html
    assert "vs month before" in html
    assert 'class="source-bar"' in html
    assert "QuickBooks" in html
    assert 'class="band-chart"' in html
    assert 'rel="next"' in html
    assert 'rel="prev"' in html


def test_the_running_month_is_marked_partial(
    sign_in: Callable[[Role], Browser],
) -> None:
    html = sign_in(Role.ADMIN).client.get("/executive").text
    assert "partial" in html
    assert 'rel="next"' not in html


@pytest.mark.parametrize(
    ("query", "message"),
    [("grain=year", "must be month or week"), ("period=soon", "must be a day as YYYY-MM-DD")],
)
def test_bad_input_is_refused_with_a_message(
    sign_in: Callable[[Role], Browser], query: str, message: str
) -> None:
    response = sign_in(Role.ADMIN).client.get(f"/executive?{query}")
    assert response.status_code == 422
    assert message in response.text
