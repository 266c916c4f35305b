"""A handoff on the job page in Chromium: start it, be told what is missing, tick the
checklist, accept, and see the job's new team and owner, without a reload."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from roofops.config import Settings
from roofops.db import session_scope
from roofops.models import JobStage, Role
from roofops.models.team import TeamFunction
from roofops.team.checklists import SALES_TO_PRODUCTION
from tests.factories import make_job, make_user
from tests.team.builders import make_team
from tests.web.conftest import PASSWORD
from tests.web.live_server import browser_database, serve
from tests.web.signing_in import sign_in

pytestmark = pytest.mark.browser
EMAIL = "ada.admin@example.com"
# Set to a directory to keep screenshots of the ownership card and the Teams page (for reviews).
SCREENSHOT_DIR = os.environ.get("ROOFOPS_SCREENSHOT_DIR", "")


@dataclass(frozen=True)
class Live:
    url: str
    job_id: str


@pytest.fixture(scope="module")
def live(
    database_url: str, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    with browser_database(database_url, tmp_path_factory.mktemp("teams")) as url:
        with session_scope(url) as db:
            admin = make_user(db, role=Role.ADMIN, email=EMAIL, password=PASSWORD)
            admin.full_name = "Ada Admin"
            manager = make_user(db, role=Role.DISPATCHER)
            manager.full_name = "Pat Production"
            sales = make_team(db, TeamFunction.SALES, [admin], name="Sales")
            make_team(db, TeamFunction.PRODUCTION, [manager], name="Production")
            job = make_job(db, stage=JobStage.CONTRACT_SIGNED)
            job.team_id, job.owner_id = sales.id, admin.id
            job_id = str(job.id)
        with serve(settings.model_copy(update={"database_url": url}), url) as base:
            yield Live(base, job_id)


def test_hand_a_signed_job_to_production(page: Page, live: Live, console_errors: list[str]) -> None:
    path = f"/jobs/{live.job_id}"
    sign_in(page, live.url + path, EMAIL)

    panel = page.locator("#ownership-panel")
    expect(panel.locator("#job-team")).to_contain_text("Sales")
    expect(panel.locator("#job-owner")).to_have_text("Ada Admin")
    panel.get_by_label("New team and owner").select_option(label="Pat Production · Production")
    panel.get_by_label("Note for the new owner").fill("Deposit cleared Friday")
    panel.get_by_role("button", name="Start handoff").click()
    expect(panel.locator("#ownership-notice")).to_have_text("Handoff started.")
    expect(panel.locator("#missing-count")).to_have_text(
        f"{sum(item.required for item in SALES_TO_PRODUCTION)} required items still open"
    )

    panel.get_by_role("button", name="Accept handoff").click()
    expect(panel.locator("#ownership-error")).to_contain_text("Tick every required item")

    for item in SALES_TO_PRODUCTION:
        if item.required:
            panel.get_by_label(item.label).check()
            expect(panel.locator(f'li[data-item="{item.code}"] .done-by')).to_contain_text(
                "Ada Admin"
            )
    expect(panel.locator("#missing-count")).to_have_text("all required items ticked")
    if SCREENSHOT_DIR:
        panel.screenshot(path=f"{SCREENSHOT_DIR}/handoff-checklist.png")
    panel.get_by_role("button", name="Accept handoff").click()
    expect(panel.locator("#ownership-notice")).to_have_text("Accepted: Production has the job.")
    expect(panel.locator("#job-team")).to_contain_text("Production")
    expect(panel.locator("#job-owner")).to_have_text("Pat Production")
    expect(panel.locator("#handoff-history > li")).to_have_count(1)
    page.get_by_role("link", name="Teams", exact=True).click()
    board = page.locator('[data-team="Production"]')
    expect(board.locator(".owner-jobs summary")).to_have_text("Pat Production · 1 job")
    if SCREENSHOT_DIR:
        page.screenshot(path=f"{SCREENSHOT_DIR}/teams.png", full_page=True)
    # The browser logs the refused acceptance's 409; nothing else may go wrong.
    assert [error for error in console_errors if "409 (Conflict)" not in error] == []
