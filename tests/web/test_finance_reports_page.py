"""The financial reports page through TestClient: who sees it (and its tab), its figures, the
hover definitions and sources, the export links, and a bad period shown on the form."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

from roofops.models import Role
from tests.report.conftest import Books, insert_books
from tests.web.conftest import Browser

SignIn = Callable[[Role], Browser]


@pytest.fixture
def books(db: Session) -> Books:
    return insert_books(db)


@pytest.mark.parametrize("role", [Role.CREW_LEAD, Role.OFFICE, Role.VIEWER])
def test_other_roles_get_a_403_and_no_tab(sign_in: SignIn, role: Role) -> None:
    browser = sign_in(role)
    assert browser.client.get("/reports/finance").status_code == 403
    assert 'href="/reports/finance"' not in browser.client.get("/settings").text


def test_finance_sees_every_report_with_definitions_and_exports(
    sign_in: SignIn, db: Session, books: Books
) -> None:
    db.commit()
    browser = sign_in(Role.FINANCE)

    response = browser.client.get(
        "/reports/finance", params={"from": "2026-03", "to": "2026-06", "as_of": "2026-06-30"}
    )

    assert response.status_code == 200
    page = response.text
    assert 'href="/reports/finance" aria-current="page"' in page
    for name in ("revenue", "margins", "ar-aging", "wip", "depreciation"):
        assert f'data-report="{name}"' in page
        assert f"/api/v1/reports/finance/{name}?from=2026-03&amp;to=2026-06" in page
    assert '<abbr title="What the books&#39; payments dated in the month applied' in page
    assert "Source: The QuickBooks invoices and payments" in page
    march = re.search(r"<td[^>]*>2026-03</td>(.*?)</tr>", page, re.S)
    assert march is not None
    assert '<td class="num tabular" data-column="collected">$7,000.00</td>' in march.group(1)
    assert 'data-finance-chart="revenue"' in page
    # The form shows the period and the date the figures are for.
    assert 'name="from" type="month" placeholder="YYYY-MM" value="2026-03"' in page
    assert 'name="as_of" type="date" value="2026-06-30"' in page


def test_a_bad_period_is_shown_on_the_form(sign_in: SignIn) -> None:
    browser = sign_in(Role.ADMIN)
    response = browser.client.get("/reports/finance", params={"from": "2026-09", "to": "2026-01"})
    assert response.status_code == 422
    assert "before it starts" in response.text
    assert 'data-report="revenue"' in response.text  # the default period's figures
