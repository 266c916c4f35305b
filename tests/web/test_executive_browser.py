"""The executive page in Chromium: a KPI tile tells its definition, formula, sources and
aggregation on hover and under "How is this computed?" (keyboard and touch), money comes with
its source bar, and the period picker switches to weeks."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from roofops.config import Settings
from roofops.db import session_scope
from roofops.demo.generator import generate
from roofops.demo.service import demo_service
from roofops.financials.service import financials_service
from roofops.kpi.registry import BY_KEY
from roofops.models import Role
from tests.factories import make_user
from tests.report.conftest import insert_books
from tests.web.conftest import PASSWORD
from tests.web.live_server import browser_database, serve
from tests.web.signing_in import sign_in

pytestmark = pytest.mark.browser

EMAIL = "fin.exec@example.com"


@pytest.fixture(scope="module")
def live(
    database_url: str, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    with ExitStack() as stack:
        url = stack.enter_context(
            browser_database(database_url, tmp_path_factory.mktemp("executive"))
        )
        with session_scope(url) as db:
            make_user(db, role=Role.FINANCE, email=EMAIL, password=PASSWORD)
            demo_service.insert_rows(db, generate(0.02, 5, date(2026, 6, 30)))
            insert_books(db)
            financials_service.track(db)
        yield stack.enter_context(serve(settings.model_copy(update={"database_url": url}), url))


def test_a_tile_explains_itself_on_hover_and_on_request(
    page: Page, live: str, console_errors: list[str]
) -> None:
    sign_in(page, f"{live}/executive?grain=month&period=2026-05-10", EMAIL, back=False)

    expect(page.get_by_role("heading", name="Executive", exact=True)).to_be_visible()
    expect(page.locator("#period-label")).to_have_text("May 2026")
    revenue = page.locator('[data-kpi="revenue"]')
    label = revenue.locator(".kpi-label")
    label.hover()
    hover = label.get_attribute("title") or ""
    kpi = BY_KEY["revenue"]
    assert kpi.definition in hover
    assert f"Formula: {kpi.formula}" in hover
    assert "Sources: " in hover
    assert f"Aggregation: {kpi.aggregation}" in hover
    expect(revenue.locator(".kpi-value")).to_have_text(re.compile(r"^\$[\d,]+$"))
    expect(
        revenue.get_by_role("img", name=re.compile("Where the figure came from"))
    ).to_be_visible()

    how = revenue.locator("details.kpi-how")
    expect(how.get_by_text(kpi.formula)).to_be_hidden()
    how.locator("summary").focus()
    page.keyboard.press("Enter")  # the disclosure opens from the keyboard too
    expect(how.get_by_text(kpi.formula)).to_be_visible()

    revenue.locator("summary.kpi-chart-toggle").click()
    expect(revenue.get_by_role("img", name=re.compile("Revenue, last 13 months"))).to_be_visible()
    assert console_errors == []


def test_the_picker_switches_to_a_week(page: Page, live: str, console_errors: list[str]) -> None:
    sign_in(page, f"{live}/executive?period=2026-06-17", EMAIL, back=False)

    page.get_by_label("Period", exact=True).select_option("week")
    page.get_by_role("button", name="Show").click()

    expect(page.locator("#period-label")).to_have_text("week of 2026-06-15")
    expect(page.locator('[data-kpi="close_rate"] .kpi-changes')).to_contain_text("vs week before")
    assert console_errors == []
