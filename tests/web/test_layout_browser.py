"""Every page at a desktop (1440 px) and a phone (390 px) width, in Chromium, against a small
demo company whose JobNimbus and QuickBooks sandboxes have both synced: nothing sticks out of
its container, no page scrolls sideways, and the console stays clean.

The pages are the app's own GET routes, so a new page is walked without being listed here;
only what is not a page (a CSV, JSON, an OAuth landing) is left out, each with its reason.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.routing import iter_route_contexts
from playwright.sync_api import Browser, Page, expect

from roofops.auth.principal import SYSTEM
from roofops.config import Settings
from roofops.db import session_factory, session_scope
from roofops.financials.service import financials_service
from roofops.integrations.core.runner import run_now
from roofops.integrations.jobnimbus.service import jobnimbus_sync
from roofops.integrations.quickbooks.sync_service import quickbooks_sync
from roofops.invoice.schemas import InvoiceGenerate
from roofops.invoice.service import invoice_service
from roofops.kit.time import utcnow
from roofops.models import Crew, InvoiceKind, Job, JobStage, Role, SyncRun
from roofops.sandbox.demo import build_demo
from roofops.sandbox.quickbooks.sandbox import connect as connect_sandbox
from roofops.web.routes import page_router
from tests.web.live_server import browser_database, free_port, serve
from tests.web.signing_in import submit_login

pytestmark = pytest.mark.browser

SIZE, SEED, AS_OF = 0.05, 11, utcnow().date()
WIDTHS = (1440, 390)
NOT_PAGES = {
    "/login": "walked signed out, first",
    "/profit/export.csv": "a CSV download",
    "/invoices/export.csv": "a CSV download",
    "/executive/report.pdf": "a PDF download",
    "/performance/drill-down": "opened from a figure's link, with the figure it explains",
    "/invoices/{invoice_id}/push": "the Push to books panel a pending push polls (a fragment)",
    "/jobs/{job_id}/activity": "the activity entries the job page fetches live (a fragment)",
    "/command-center/live": "the live part the Command Center re-reads on each event (a fragment)",
    "/jobs/{job_id}/ownership": "the Team and owner card the job page loads (a fragment)",
    "/jobs/{job_id}/documents": "the Documents and Site photos cards the job page loads (fragment)",
    "/jobs/{job_id}/portal-links": "the Customer portal card the job page loads (a fragment)",
    "/notifications/bell": "the header bell a page swaps in when a notification lands (a fragment)",
    "/openapi.json": "the JSON /docs reads",
    "/jobs/{job_id}/photos/{photo_id}": "a site photo's bytes",
    "/integrations/quickbooks/callback": "where QuickBooks sends the browser back, with a code",
    "/integrations/xero/callback": "where Xero sends the browser back, with a code",
}
# What sticks out: an element past its parent's edges, or content past its own box, unless an
# ancestor scrolls or clips it (a wide table in its scroll box is fine; the page itself scrolling
# sideways is not).
OVERFLOWING = """
() => {
  const found = [];
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth + 1) {
    found.push(`the page is ${root.scrollWidth}px wide in a ${root.clientWidth}px window`);
  }
  const clipped = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (["auto", "scroll", "hidden", "clip"].includes(getComputedStyle(a).overflowX)) return true;
    }
    return false;
  };
  for (const el of document.querySelectorAll("body *")) {
    const style = getComputedStyle(el);
    if (style.display === "none" || style.visibility === "hidden") continue;
    if (style.position === "absolute" || style.position === "fixed") continue;
    const box = el.getBoundingClientRect();
    const parent = el.parentElement.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    const text = (el.textContent || "").trim().slice(0, 40);
    if ((box.right > parent.right + 1 || box.left < parent.left - 1) && !clipped(el)) {
      found.push(`<${el.tagName.toLowerCase()} class="${el.className}"> "${text}"`);
    }
    // Its own content wider than itself (a total that does not wrap, in a narrow tile).
    const spills = el.scrollWidth > el.clientWidth + 1 && style.overflowX === "visible";
    if (spills && el.clientWidth > 0 && style.display !== "inline" && !clipped(el)) {
      found.push(`spills: <${el.tagName.toLowerCase()} class="${el.className}"> "${text}"`);
    }
  }
  return found.slice(0, 10);
}
"""


@dataclass(frozen=True)
class Live:
    url: str
    email: str
    password: str
    values: dict[str, str]  # a value for each path parameter of a page route


@pytest.fixture(scope="module")
def live(
    database_url: str, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    with ExitStack() as stack:
        url = stack.enter_context(browser_database(database_url, tmp_path_factory.mktemp("layout")))
        with session_scope(url) as db:
            demo = build_demo(db, size=SIZE, seed=SEED, as_of=AS_OF)
        admin = next(user for user in demo.users if user.role == Role.ADMIN)
        assert admin.password is not None
        port = free_port()
        local = settings.model_copy(
            update={"database_url": url, "base_url": f"http://127.0.0.1:{port}"}
        )
        base = stack.enter_context(serve(local, url, port=port))
        sessions = session_factory(url)
        connect_sandbox(sessions, local)
        for sync in (jobnimbus_sync, quickbooks_sync):
            run_now(sessions, local, sync, full=False, triggered_by="test")
        values = path_values(url)
        with session_scope(url) as db:
            # Nine-digit money: the widest figures a page must hold, in the totals and in a row.
            financials_service.set_manual(
                db,
                SYSTEM,
                uuid.UUID(values["job_id"]),
                figure="contract",
                cents=199_999_999_99,
                reason="the widest figure",
            )
            # ...and the widest invoice: the whole of that contract, finally.
            final = InvoiceGenerate(job_id=uuid.UUID(values["job_id"]), kind=InvoiceKind.FINAL)
            values["invoice_id"] = str(invoice_service.generate(db, SYSTEM, final).id)
        yield Live(base, admin.email, admin.password, values)


def path_values(url: str) -> dict[str, str]:
    """A paid job (every figure filled in), the JobNimbus run and a crew, for the pages that
    need one."""
    with session_scope(url) as db:
        job_id = db.scalars(sa.select(Job.id).where(Job.stage == JobStage.PAID).limit(1)).one()
        run_id = db.scalars(sa.select(SyncRun.id).where(SyncRun.provider == "jobnimbus")).first()
        crew_id = db.scalars(sa.select(Crew.id).order_by(Crew.name).limit(1)).one()
    assert run_id is not None
    return {
        "job_id": str(job_id),
        "figure": "contract",
        "run_id": str(run_id),
        "crew_id": str(crew_id),
    }


def pages(values: dict[str, str]) -> list[str]:
    paths = sorted(
        {
            route.path
            for route in iter_route_contexts(page_router.routes)
            if "GET" in (route.methods or ()) and route.path not in NOT_PAGES
        }
    )
    return [re.sub(r"\{(\w+)\}", lambda name: values[name.group(1)], path) for path in paths]


def walk(page: Page, base: str, paths: list[str]) -> dict[str, Any]:
    problems: dict[str, Any] = {}
    for path in paths:
        answer = page.goto(base + path)
        assert answer is not None
        page.wait_for_load_state("networkidle")
        if not answer.ok:
            problems[path] = f"answered {answer.status}"
        elif found := page.evaluate(OVERFLOWING):
            problems[path] = found
    return problems


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_fits_its_width_without_console_errors(
    browser: Browser, live: Live, width: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-US")
    page = context.new_page()
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    problems = walk(page, live.url, ["/login"])
    submit_login(page, live.email, live.password)
    expect(page).not_to_have_url(re.compile("/login"))
    paths = pages(live.values)
    problems |= walk(page, live.url, paths)
    context.close()

    assert len(paths) >= 12, paths
    assert problems == {}
    assert errors == []


def test_the_walk_sees_what_sticks_out(browser: Browser, live: Live) -> None:
    """The check itself: a badge forced wider than its tile, a total wider than its tile, and a
    page wider than the window."""
    context = browser.new_context(viewport={"width": 390, "height": 900})
    page = context.new_page()
    page.goto(live.url + "/login")
    page.evaluate(
        """() => {
        // Styled through the CSSOM: the page's CSP refuses inline style attributes.
        const box = document.createElement("div");
        const badge = document.createElement("span");
        box.style.width = "100px";
        Object.assign(badge.style, {display: "inline-block", width: "600px"});
        badge.textContent = "Materials ordered";
        box.appendChild(badge);
        document.body.appendChild(box);
        const tile = document.createElement("div");
        Object.assign(tile.style, {width: "80px", whiteSpace: "nowrap"});
        tile.textContent = "$23,628,365.25";
        document.body.appendChild(tile);
    }"""
    )
    found = page.evaluate(OVERFLOWING)
    context.close()
    assert any("Materials ordered" in item for item in found), found
    assert any(item.startswith("spills:") and "$23,628,365.25" in item for item in found), found
    assert any("the page is" in item for item in found), found
