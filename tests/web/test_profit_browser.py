"""The Profit page in Chromium against a live demo company and its sandbox QuickBooks: "Sync all"
shows live progress (SSE) and turns placeholder figures into QuickBooks ones without a reload;
a figure set by hand survives the next sync and can be given back."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from roofops.config import Settings
from roofops.db import session_factory, session_scope
from roofops.demo.generator import generate
from roofops.kit.time import utcnow
from roofops.models import Role
from roofops.sandbox.demo import build_demo
from roofops.sandbox.quickbooks.books import build_books
from roofops.sandbox.quickbooks.sandbox import connect as connect_sandbox
from tests.web.live_server import browser_database, free_port, serve
from tests.web.signing_in import sign_in
from tests.web.workers import background_worker

pytestmark = pytest.mark.browser

# A small demo company (~900 jobs, a few dozen of them open whatever the season): its books
# build and sync in seconds. Its history ends today: QuickBooks' change feed (CDC) only reaches
# 30 days back.
SIZE, SEED, AS_OF = 0.3, 7, utcnow().date()
SYNC_TIMEOUT = 20_000
# Set to a directory to keep a screenshot of the page after a sync (for reviews).
SCREENSHOT_DIR = os.environ.get("ROOFOPS_SCREENSHOT_DIR", "")
# Records every sync.progress event the page hears, to check that progress arrived live.
RECORD_PROGRESS = """
window.__progress = [];
document.addEventListener("htmx:sseBeforeMessage", function (evt) {
  try { window.__progress.push(JSON.parse(evt.detail.data)); } catch (e) {}
});
"""


@dataclass(frozen=True)
class Live:
    url: str
    email: str
    password: str
    synced_job: str  # a job with invoices and bills in the sandbox books
    manual_job: str  # another one, for the figure set by hand


def jobs_in_the_books() -> list[str]:
    """The sandbox books are built from the same generator: jobs with invoices and costs."""
    books = build_books(generate(SIZE, SEED, AS_OF))
    return [number for number, ledger in books.jobs.items() if ledger.invoices and ledger.bills]


@pytest.fixture(scope="module")
def live(
    database_url: str, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    with ExitStack() as stack:
        url = stack.enter_context(browser_database(database_url, tmp_path_factory.mktemp("profit")))
        with session_scope(url) as db:
            demo = build_demo(db, size=SIZE, seed=SEED, as_of=AS_OF)
        finance = next(user for user in demo.users if user.role == Role.FINANCE)
        assert finance.password is not None
        stack.enter_context(background_worker(url))
        port = free_port()
        local = settings.model_copy(
            update={"database_url": url, "base_url": f"http://127.0.0.1:{port}"}
        )
        base = stack.enter_context(serve(local, url, port=port))
        connect_sandbox(session_factory(url), local)
        numbers = jobs_in_the_books()
        yield Live(base, finance.email, finance.password, numbers[-1], numbers[-2])


def open_profit(page: Page, live: Live, number: str = "") -> Locator:
    """Sign in, open Profit with live updates on, and narrow the table to one job (if given)."""
    page.add_init_script(RECORD_PROGRESS)
    sign_in(page, live.url + "/profit", live.email, live.password)
    # Progress arrives over SSE: wait until the stream is open before starting a sync.
    expect(page.locator("#live-status")).to_have_text("Live")
    if number:
        page.get_by_label("Search").fill(number)
        expect(page.locator("#profit-table tbody.profit-job")).to_have_count(1)
    return page.locator(f'tbody.profit-job[data-job-number="{number}"]')


def badge(row: Locator, cell: str) -> Locator:
    return row.locator(f'td[data-figure="{cell}"] [data-source]')


def sync_all(page: Page) -> None:
    """Click "Sync all from QuickBooks" and wait for the run to finish and the table to refetch."""
    button = page.get_by_role("button", name="Sync all from QuickBooks")
    with page.expect_response(
        lambda response: (
            bool(re.search(r"/profit(\?|$)", response.url)) and response.request.method == "GET"
        ),
        timeout=SYNC_TIMEOUT,
    ):
        button.click()
        expect(button).to_be_disabled()  # loading state until the run ends
        progress = page.locator("#profit-sync-progress")
        expect(progress).to_be_visible()
        expect(progress).to_contain_text("Finished: Succeeded", timeout=SYNC_TIMEOUT)
    expect(button).to_be_enabled()


def test_sync_all_turns_placeholders_into_quickbooks_figures(
    page: Page, live: Live, console_errors: list[str]
) -> None:
    row = open_profit(page, live, live.synced_job)
    # The signed price comes from the CRM; no cost is known before the books are read.
    expect(badge(row, "contract")).to_have_attribute("data-source", "jobnimbus")
    expect(badge(row, "contract")).to_have_text("JobNimbus")
    expect(badge(row, "costs")).to_have_attribute("data-source", "none")
    expect(row.locator('td[data-figure="invoiced"]')).to_have_text("—")
    page.evaluate("window.__notReloaded = true")

    sync_all(page)

    expect(badge(row, "contract")).to_have_attribute("data-source", "jobnimbus")
    expect(badge(row, "costs")).to_have_attribute("data-source", "quickbooks")
    expect(row.locator('td[data-figure="invoiced"]')).to_contain_text("$")
    expect(row.locator(".sync-cell time")).to_be_visible()
    assert page.evaluate("window.__notReloaded") is True  # htmx swapped the table in place
    phases = [(event["status"], event["phase"]) for event in page.evaluate("window.__progress")]
    assert ("running", "reading the books") in phases
    assert ("running", "updating job figures") in phases
    assert phases[-1] == ("succeeded", "finished")
    row.get_by_role("button", name="Figures").click()
    figures = row.locator("tr.figures-row [data-source]")
    expect(figures).to_have_count(8)
    expect(figures.nth(0)).to_have_attribute("data-source", "jobnimbus")  # the contract amount
    for index in range(1, 8):
        expect(figures.nth(index)).to_have_attribute("data-source", "quickbooks")
    if SCREENSHOT_DIR:
        page.get_by_label("Search").fill("")
        expect(page.locator("#profit-table tbody.profit-job")).to_have_count(25)
        page.screenshot(path=str(Path(SCREENSHOT_DIR) / "profit.png"), full_page=True)
    assert console_errors == []


def test_a_manual_figure_survives_sync_all_until_cleared(
    page: Page, live: Live, console_errors: list[str]
) -> None:
    row = open_profit(page, live, live.manual_job)
    row.get_by_role("button", name="Figures").click()
    figures = row.locator("tr.figures-row")
    expect(figures).to_be_visible()
    figures.get_by_role("link", name=re.compile(r"^(Set|Change) materials by hand$")).click()
    dialog = page.locator("#figure-dialog")
    expect(dialog).to_be_visible()

    dialog.get_by_label("Amount (USD)").fill("23,456.78")
    dialog.get_by_role("button", name="Set by hand").click()  # no reason: refused in place
    expect(dialog.locator("#figure-error")).to_contain_text("Say why")
    dialog.get_by_label("Reason", exact=True).fill("Signed change order #7, not invoiced yet")
    dialog.get_by_role("button", name="Set by hand").click()

    expect(dialog).to_be_hidden()
    materials = figures.locator('[data-figure="materials"]')
    expect(materials).to_contain_text("$23,456.78")
    expect(materials.locator("[data-source]")).to_have_attribute("data-source", "manual")
    expect(figures).to_be_visible()  # the open detail row stays open across the refresh

    sync_all(page)

    expect(materials).to_contain_text("$23,456.78")
    expect(materials.locator("[data-source]")).to_have_attribute("data-source", "manual")
    expect(materials.locator("[data-source]")).to_have_text("Manual")
    books_says = materials.locator("[data-books-says]")
    expect(books_says).to_contain_text(re.compile(r"QuickBooks says \$[\d,]+\.\d\d"))
    books_amount = re.search(r"\$[\d,]+\.\d\d", books_says.inner_text())
    assert books_amount

    figures.get_by_role("link", name="Change materials by hand").click()
    expect(dialog).to_be_visible()
    dialog.get_by_label("Reason for clearing").fill("Entered in QuickBooks")
    dialog.get_by_role("button", name="Clear").click()
    expect(dialog).to_be_hidden()
    expect(materials.locator("[data-source]")).to_have_attribute("data-source", "quickbooks")
    expect(materials).to_contain_text(books_amount.group(0))
    # Chromium logs the 422 answer itself; anything else (a CSP violation) is a bug.
    assert [error for error in console_errors if "status of 422" not in error] == []


def test_after_sync_all_no_open_job_shows_a_full_margin_and_projections_say_so(
    page: Page, live: Live, console_errors: list[str]
) -> None:
    """Open jobs with a deposit invoiced and no bills yet used to read as 100 % margins."""
    open_profit(page, live)
    sync_all(page)
    rows = page.locator("#profit-table tbody.profit-job")
    expect(rows.first).to_be_visible()

    margins = page.locator('#profit-table td[data-figure="margin"]')
    texts = [text.strip() for text in margins.all_inner_texts()]
    assert texts, "the page shows jobs"
    assert not [text for text in texts if text.startswith("100.0%")]
    for kind in ("projected", "actual"):
        page.get_by_label("Jobs", exact=True).select_option(kind)
        expect(page).to_have_url(re.compile(f"kind={kind}"))
        others = page.locator(f'#profit-table tbody.profit-job:not([data-margin-kind="{kind}"])')
        expect(others).to_have_count(0)
        cells = page.locator(f'#profit-table [data-margin-kind="{kind}"] td[data-figure="margin"]')
        expect(cells.first).to_be_visible()
        for text in cells.all_inner_texts():
            # The kind's label is set in small capitals by the style sheet.
            assert text.strip() == "—" or text.strip().lower().endswith(kind), text
            assert not text.strip().startswith("100.0%"), text
    definition = page.locator('#profit-summary [data-term="projected_margin"]')
    expect(definition).to_have_attribute("title", re.compile("not final"))
    assert console_errors == []
