"""The financial reports page in Chromium: sign in as finance, choose a period, and see the
figures and the charts change (the books rows inserted as in tests/report)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from roofops.config import Settings
from roofops.db import session_scope
from roofops.models import Role
from tests.factories import make_user
from tests.report.conftest import insert_books
from tests.web.conftest import PASSWORD
from tests.web.live_server import browser_database, serve
from tests.web.signing_in import sign_in

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Live:
    url: str
    email: str


@pytest.fixture(scope="module")
def live(
    database_url: str, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    with ExitStack() as stack:
        url = stack.enter_context(browser_database(database_url, tmp_path_factory.mktemp("fin")))
        with session_scope(url) as db:
            finance = make_user(db, role=Role.FINANCE, password=PASSWORD)
            insert_books(db)
            email = finance.email
        local = settings.model_copy(update={"database_url": url})
        yield Live(stack.enter_context(serve(local, url)), email)


def test_choosing_a_period_changes_the_figures(
    page: Page, live: Live, console_errors: list[str]
) -> None:
    sign_in(page, live.url + "/reports/finance", live.email)
    revenue = page.locator('table[data-report="revenue"]')
    total_collected = revenue.locator('tfoot [data-column="collected"]')

    page.get_by_label("From month").fill("2026-03")
    page.get_by_label("To month").fill("2026-03")
    page.get_by_label("Compare with").select_option("none")
    page.get_by_role("button", name="Show").click()

    expect(page).to_have_url(re.compile(r"from=2026-03&to=2026-03"))
    expect(revenue.locator("tbody tr")).to_have_count(1)
    expect(total_collected).to_have_text("$7,000.00")  # one payment split over two invoices
    expect(page.locator("#report-revenue [data-scope]")).to_contain_text("2026-03")

    page.get_by_label("From month").fill("2026-04")
    page.get_by_label("To month").fill("2026-05")
    page.get_by_label("Compare with").select_option("previous")
    page.get_by_role("button", name="Show").click()

    expect(revenue.locator("tbody tr")).to_have_count(2)
    expect(total_collected).to_have_text("$0.00")  # April's only live payment went on account
    expect(revenue.locator("thead")).to_contain_text("Compared month")
    expect(page.locator("#report-revenue [data-scope]")).to_contain_text("compared with")
    # The charts were drawn (Chart.js sizes its canvas) and no script failed.
    chart = page.locator('canvas[data-finance-chart="revenue"]')
    expect(chart).to_have_attribute("style", re.compile("width"))
    aging = page.locator('canvas[data-finance-chart="aging"]')
    expect(aging).to_be_visible()
    assert console_errors == []
