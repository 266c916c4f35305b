"""The Profit page and a job's money panel through TestClient: roles, filters, totals, CSV,
figures set by hand, sync buttons, and no secret on any page."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from roofops.auth.principal import SYSTEM
from roofops.config import Settings
from roofops.financials.figures import COST_FIGURES
from roofops.financials.service import BooksFigures, financials_service
from roofops.kit.time import utcnow
from roofops.models import (
    FigureSource,
    Job,
    JobFinancials,
    JobStage,
    JobType,
    Material,
    PriceListEntry,
    Provider,
    Role,
    SyncKind,
    SyncRun,
    SyncRunStatus,
)
from tests.factories import (
    QB_ACCESS_TOKEN,
    QB_CLIENT_SECRET,
    QB_REFRESH_TOKEN,
    connect_quickbooks,
    make_branch,
    make_job,
)
from tests.web.conftest import Browser

HX = {"HX-Request": "true"}
ROW = re.compile(r'<tbody class="profit-job" id="job-[^"]+" data-job-number="([^"]+)"')
SignIn = Callable[[Role], Browser]


@pytest.fixture(autouse=True)
def price_list(db: Session) -> None:
    """Placeholder figures are squares x the price list: $500 a square for every job here."""
    for job_type in (JobType.REROOF, JobType.REPAIR, JobType.GUTTERS):
        db.add(
            PriceListEntry(
                job_type=job_type, material=Material.ASPHALT_SHINGLE, price_per_square_cents=500_00
            )
        )
    db.commit()


def numbers(page: str) -> set[str]:
    return set(ROW.findall(page))


def job_block(page: str, number: str) -> str:
    """The <tbody> of one job: its row and its figures detail row."""
    start = page.index(f'data-job-number="{number}"')
    return page[start : page.index("</tbody>", start)]


def figures_row(browser: Browser, job: Job) -> str:
    """A job's figures grid, as the table fetches it when its row is first opened."""
    response = browser.client.get(f"/profit/jobs/{job.id}/figures?next=/profit", headers=HX)
    assert response.status_code == 200, response.text
    assert "<html" not in response.text
    return response.text


def contract_source(page: str, number: str) -> str:
    """The source badge in the job's Contract cell."""
    block = job_block(page, number)
    cell = re.search(r'data-figure="contract">.*?data-source="([a-z]+)"', block, re.DOTALL)
    assert cell, number
    return cell.group(1)


# ----- who may look -----------------------------------------------------------------------
@pytest.mark.parametrize("role", [Role.VIEWER, Role.DISPATCHER, Role.CREW_LEAD])
def test_profit_is_closed_to_roles_without_money(sign_in: SignIn, db: Session, role: Role) -> None:
    job = make_job(db)
    db.commit()
    browser = sign_in(role)

    page = browser.client.get("/profit")
    fragment = browser.client.get(f"/profit/jobs/{job.id}/figures/contract", headers=HX)
    setting = browser.post(
        f"/profit/jobs/{job.id}/figures/contract", {"amount": "1", "reason": "sneaky"}
    )

    assert page.status_code == fragment.status_code == setting.status_code == 403
    assert "You don't have access to this" in page.text
    assert 'href="/profit"' not in browser.client.get("/jobs").text
    assert 'id="money-panel"' not in browser.client.get(f"/jobs/{job.id}").text


def test_office_sees_the_figures_but_sets_none_by_hand(sign_in: SignIn, db: Session) -> None:
    job = make_job(db, squares=Decimal("30"), stage=JobStage.CONTRACT_SIGNED)
    db.commit()
    browser = sign_in(Role.OFFICE)

    assert browser.client.get("/profit").status_code == 200
    grid = figures_row(browser, job)
    form = browser.client.get(f"/profit/jobs/{job.id}/figures/contract", headers=HX)
    setting = browser.post(
        f"/profit/jobs/{job.id}/figures/contract", {"amount": "1", "reason": "sneaky"}
    )

    assert 'data-figure="contract"' in grid
    assert "Set by hand" not in grid
    assert form.status_code == setting.status_code == 403
    assert "edit_figures" in setting.text


@pytest.mark.parametrize("role", [Role.FINANCE, Role.ADMIN])
def test_finance_and_admins_see_every_figure(sign_in: SignIn, db: Session, role: Role) -> None:
    job = make_job(db, squares=Decimal("30"), stage=JobStage.CONTRACT_SIGNED)
    db.commit()
    browser = sign_in(role)

    response = browser.client.get("/profit")

    assert response.status_code == 200
    assert 'href="/profit" aria-current="page"' in response.text
    block = job_block(response.text, job.number)
    # The grid is not in the page: the row fetches it when it is first opened.
    assert f'data-figures="/profit/jobs/{job.id}/figures?next=' in block
    grid = figures_row(browser, job)
    figures = re.findall(r'class="figure[^"]*" data-figure="([a-z]+)"', grid)
    assert figures == [
        "contract",
        "materials",
        "labor",
        "subcontractor",
        "permits",
        "disposal",
        "equipment",
        "other",
    ]
    # The contract amount is an estimate (cell and grid); no cost is known without the books.
    assert block.count('data-source="placeholder"') == grid.count('data-source="placeholder"') == 1
    assert block.count('data-source="none"') == 1  # the costs cell
    assert grid.count('data-source="none"') == 7  # each category
    assert 'data-margin-kind="projected"' in block  # an open job's margin says it is projected
    assert "Never" in block  # not synced yet
    assert 'id="profit-totals"' in response.text
    for chart in ("by-type", "by-month", "distribution"):
        assert f'data-chart-name="{chart}"' in response.text


def test_the_page_has_no_inline_script_or_style(sign_in: SignIn, db: Session) -> None:
    make_job(db)
    db.commit()
    response = sign_in(Role.FINANCE).client.get("/profit")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", response.text), "inline script"
    assert " style=" not in response.text
    assert not re.search(r"\son[a-z]+=", response.text), "inline event handler"


# ----- filters, totals, export ------------------------------------------------------------
def _jobs(db: Session) -> dict[str, Job]:
    north, south = make_branch(db, name="North"), make_branch(db, name="South")
    sold = JobStage.CONTRACT_SIGNED
    jobs = {
        "reroof": make_job(db, squares=Decimal("30"), branch=north, sales_rep="Dana", stage=sold),
        "repair": make_job(
            db, job_type=JobType.REPAIR, squares=Decimal("8"), branch=south, stage=sold
        ),
        "gutters": make_job(
            db, job_type=JobType.GUTTERS, branch=south, name="Gutters Ng", stage=sold
        ),
        "old": make_job(db, squares=Decimal("20"), branch=north, stage=JobStage.PAID),
    }
    jobs["old"].created_at = utcnow() - timedelta(days=400)
    db.flush()
    return jobs


def test_filters_narrow_the_rows(sign_in: SignIn, db: Session) -> None:
    jobs = _jobs(db)
    # A signed contract far below what its materials already cost: the only job losing money.
    financials_service.set_manual(
        db, SYSTEM, jobs["repair"].id, figure="contract", cents=500_00, reason="discounted"
    )
    financials_service.set_manual(
        db, SYSTEM, jobs["repair"].id, figure="materials", cents=900_00, reason="supplier bill"
    )
    db.commit()
    browser = sign_in(Role.FINANCE)
    north = jobs["reroof"].branch_id
    a_year_ago = (utcnow() - timedelta(days=365)).date().isoformat()

    def shown(query: str) -> set[str]:
        response = browser.client.get(f"/profit?{query}", headers=HX)
        assert response.status_code == 200
        assert "<html" not in response.text  # htmx gets the results fragment only
        return numbers(response.text)

    everyone = {job.number for job in jobs.values()}
    assert numbers(browser.client.get("/profit").text) == everyone
    assert shown("job_type=repair") == {jobs["repair"].number}
    assert shown(f"branch={north}") == {jobs["reroof"].number, jobs["old"].number}
    assert shown("sales_rep=Dana") == {jobs["reroof"].number}
    assert shown("q=Gutters+Ng") == {jobs["gutters"].number}
    assert shown(f"from={a_year_ago}") == everyone - {jobs["old"].number}
    assert shown(f"to={a_year_ago}") == {jobs["old"].number}
    assert shown("margin_below=0") == {jobs["repair"].number}
    assert shown("job_type=nonsense&page=-3") == everyone  # a bad URL shows results
    assert "No jobs match these filters" in browser.client.get("/profit?q=zzz-none").text


def test_totals_row_adds_up_the_filtered_jobs(sign_in: SignIn, db: Session) -> None:
    jobs = _jobs(db)
    jobs["reroof"].stage = JobStage.PAID  # both final: their margins are actual
    for key, cents in (("reroof", 20_000_00), ("old", 10_000_00)):
        financials_service.set_manual(
            db, SYSTEM, jobs[key].id, figure="contract", cents=cents, reason="signed"
        )
    for key in ("reroof", "old"):
        for figure in ("materials", "labor", "subcontractor", "permits", "disposal", "other"):
            financials_service.set_manual(
                db, SYSTEM, jobs[key].id, figure=figure, cents=0, reason="none"
            )
        financials_service.set_manual(
            db, SYSTEM, jobs[key].id, figure="equipment", cents=7_500_00, reason="crane"
        )
    db.commit()
    branch = jobs["reroof"].branch_id

    page = sign_in(Role.FINANCE).client.get(f"/profit?branch={branch}").text

    totals = page[page.index('id="profit-totals"') : page.index("</tfoot>")]
    assert "$30,000.00" in totals  # contract amount
    assert "$15,000.00" in totals  # costs to date
    assert "50.0% actual" in totals
    summary = page[page.index('id="profit-summary"') : page.index('id="profit-sources"')]
    assert re.search(r'id="profit-margin-actual">50\.0%<', summary)


def test_csv_export_has_the_same_filters(sign_in: SignIn, db: Session) -> None:
    jobs = _jobs(db)
    db.commit()
    browser = sign_in(Role.FINANCE)
    page = browser.client.get("/profit?job_type=repair&margin_below=40").text
    link = re.search(r'id="profit-csv" href="([^"]+)"', page)
    assert link
    url = html.unescape(link.group(1))
    assert url == "/profit/export.csv?job_type=repair&margin_below=40"

    export = browser.client.get(url)
    everything = browser.client.get(re.sub(r"\?.*", "", url))

    assert export.status_code == 200
    assert export.headers["content-type"].startswith("text/csv")
    header, *rows = list(csv.reader(io.StringIO(export.text)))
    assert header[:3] == ["job_number", "job_name", "job_type"]
    assert {"contract", "contract_source", "equipment", "margin_percent"} <= set(header)
    assert [row[0] for row in rows] == [jobs["repair"].number]
    assert len(list(csv.reader(io.StringIO(everything.text)))) == 1 + len(jobs)


# ----- figures set by hand ----------------------------------------------------------------
def _figures(db: Session, job: Job) -> JobFinancials:
    db.expire_all()
    row = db.get(JobFinancials, job.id)
    assert row is not None
    return row


def test_a_figure_set_by_hand_shows_manual_and_can_be_cleared(sign_in: SignIn, db: Session) -> None:
    job = make_job(db, squares=Decimal("30"))
    db.commit()
    browser = sign_in(Role.FINANCE)
    url = f"/profit/jobs/{job.id}/figures/contract"
    form = browser.client.get(url, headers=HX)
    assert form.status_code == 200
    assert 'id="figure-set-form"' in form.text
    assert "<html" not in form.text

    saved = browser.post(url, {"amount": "$18,500.50", "reason": "signed change order"}, HX)

    assert saved.status_code == 200, saved.text
    assert json.loads(saved.headers["HX-Trigger"])["figure-saved"]["figure"] == "contract"
    row = _figures(db, job)
    assert (row.contract_cents, row.contract_source) == (18_500_50, FigureSource.MANUAL)
    page = browser.client.get("/profit").text
    assert contract_source(page, job.number) == "manual"
    assert "Not in JobNimbus" in figures_row(browser, job)

    cleared = browser.post(f"{url}/clear", {"reason": "entered in QuickBooks"}, HX)

    assert cleared.status_code == 200, cleared.text
    assert _figures(db, job).contract_source == FigureSource.PLACEHOLDER
    assert contract_source(browser.client.get("/profit").text, job.number) == "placeholder"


def test_the_books_amount_shows_beside_a_manual_figure(sign_in: SignIn, db: Session) -> None:
    job = make_job(db, stage=JobStage.IN_PRODUCTION)
    costs = dict.fromkeys(COST_FIGURES, 0) | {"materials": 7_100_00}
    books = BooksFigures(invoiced_cents=6_000_00, balance_cents=0, costs=costs)
    financials_service.apply_books(db, FigureSource.QUICKBOOKS, {job.id: books}, synced_at=utcnow())
    financials_service.set_manual(
        db, SYSTEM, job.id, figure="materials", cents=7_500_00, reason="a bill not entered yet"
    )
    db.commit()
    browser = sign_in(Role.FINANCE)

    block = job_block(browser.client.get("/profit").text, job.number)
    panel = browser.client.get(f"/jobs/{job.id}").text

    grid = figures_row(browser, job)
    assert "QuickBooks says $7,100.00" in grid
    assert "QuickBooks says $7,100.00" in panel
    assert "$6,000.00" in block  # invoiced to date (a deposit)
    assert 'data-source="quickbooks"' in grid


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"amount": "twelve", "reason": "signed"}, "enter the amount in dollars"),
        ({"amount": "-5", "reason": "signed"}, "enter the amount in dollars"),
        ({"amount": "10.005", "reason": "signed"}, "at most 2 decimals"),
        ({"amount": "100", "reason": "  "}, "say why"),
    ],
)
def test_a_bad_figure_is_explained_in_the_dialog(
    sign_in: SignIn, db: Session, data: dict[str, str], message: str
) -> None:
    job = make_job(db)
    db.commit()
    browser = sign_in(Role.FINANCE)

    response = browser.post(f"/profit/jobs/{job.id}/figures/labor", data, HX)

    assert response.status_code == 422
    assert 'id="figure-error"' in response.text
    assert message in html.unescape(response.text).lower()
    assert f'value="{data["amount"]}"' in response.text  # what was typed stays
    assert _figures(db, job).labor_source == FigureSource.PLACEHOLDER


def test_clearing_a_figure_not_set_by_hand_is_refused_inline(sign_in: SignIn, db: Session) -> None:
    job = make_job(db)
    db.commit()
    response = sign_in(Role.FINANCE).post(
        f"/profit/jobs/{job.id}/figures/labor/clear", {"reason": "why not"}, HX
    )
    assert response.status_code == 422
    assert "is not set by hand" in response.text


def test_unknown_figures_and_missing_csrf_are_refused(sign_in: SignIn, db: Session) -> None:
    job = make_job(db)
    db.commit()
    browser = sign_in(Role.FINANCE)
    unknown = browser.post(f"/profit/jobs/{job.id}/figures/profit", {"amount": "1", "reason": "x"})
    forged = browser.client.post(
        f"/profit/jobs/{job.id}/figures/contract", data={"amount": "1", "reason": "forged"}
    )
    assert unknown.status_code == 422
    assert forged.status_code == 403
    assert "CSRF" in forged.text


def test_without_scripts_the_figure_form_is_a_page_and_redirects_back(
    sign_in: SignIn, db: Session
) -> None:
    job = make_job(db)
    db.commit()
    browser = sign_in(Role.ADMIN)
    url = f"/profit/jobs/{job.id}/figures/permits"
    page = browser.client.get(f"{url}?next=/profit%3Fjob_type%3Dreroof")
    assert "<html" in page.text
    assert 'name="next" value="/profit?job_type=reroof"' in page.text

    saved = browser.post(url, {"amount": "350", "reason": "city fee", "next": "//evil.example"})

    assert saved.status_code == 303
    assert saved.headers["location"] == "/jobs"  # never off-site
    assert _figures(db, job).permits_cents == 350_00


# ----- syncing ----------------------------------------------------------------------------
def test_sync_explains_that_quickbooks_is_not_connected(sign_in: SignIn, db: Session) -> None:
    make_job(db)
    db.commit()
    browser = sign_in(Role.FINANCE)

    page = browser.client.get("/profit").text
    refused = browser.post("/profit/sync", {}, HX)

    assert 'id="profit-not-connected"' in page
    assert 'href="/settings/integrations#quickbooks"' in page
    assert "data-sync-form" not in page  # no button that can only fail
    assert refused.status_code == 409
    assert "QuickBooks is not connected" in refused.text


def test_sync_all_queues_one_run_at_a_time(
    sign_in: SignIn, db: Session, settings: Settings
) -> None:
    job = make_job(db)
    connect_quickbooks(db, settings)
    browser = sign_in(Role.FINANCE)
    page = browser.client.get("/profit").text
    assert "Sync all from QuickBooks" in page
    # No per-job button: one read of what changed refreshes every job it touches.
    assert f"/profit/jobs/{job.id}/sync" not in page

    first = browser.post("/profit/sync", {}, HX)
    second = browser.post("/profit/sync", {"full": "true"}, HX)

    assert first.status_code == 202, first.text
    assert "Sync from QuickBooks queued" in first.text
    assert second.status_code == 409
    assert "already running" in second.text
    running = browser.client.get("/profit").text
    assert "Sync running since" in running
    assert 'data-state="running"' in running  # the progress panel shows at once
    assert 'data-sync-button disabled aria-busy="true"' in running


def test_the_last_failed_run_says_why(sign_in: SignIn, db: Session, settings: Settings) -> None:
    connect_quickbooks(db, settings)
    now = utcnow()
    db.add(
        SyncRun(
            provider=Provider.QUICKBOOKS,
            kind=SyncKind.INCREMENTAL,
            status=SyncRunStatus.FAILED,
            started_at=now,
            heartbeat_at=now,
            finished_at=now,
            error="QuickBooks refused our authorization: reconnect in Settings > Integrations",
        )
    )
    db.commit()
    page = sign_in(Role.FINANCE).client.get("/profit").text
    start = page.index('id="profit-last-sync"')
    line = page[start : page.index('id="profit-sync-notice"', start)]
    assert "Failed" in line
    assert "QuickBooks refused our authorization" in html.unescape(line)


# ----- the job page -----------------------------------------------------------------------
def test_the_job_page_has_a_money_panel_for_finance(sign_in: SignIn, db: Session) -> None:
    job = make_job(db, squares=Decimal("30"))
    db.commit()
    browser = sign_in(Role.FINANCE)

    page = browser.client.get(f"/jobs/{job.id}").text
    fragment = browser.client.get(f"/profit/jobs/{job.id}/money", headers=HX)

    assert 'id="money-panel"' in page
    assert 'id="stage-timeline"' in page  # the rest of the job page is still there
    assert page.count('class="figure') >= 8
    assert 'id="money-estimate"' in page
    assert "No invoices for this job in the books yet" in page
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<div id="money-body"')


def test_no_secret_is_rendered(sign_in: SignIn, db: Session, settings: Settings) -> None:
    job = make_job(db)
    connection = connect_quickbooks(db, settings)
    browser = sign_in(Role.ADMIN)
    secrets = [
        QB_CLIENT_SECRET,
        QB_REFRESH_TOKEN,
        QB_ACCESS_TOKEN,
        connection.credentials_encrypted,
    ]
    secrets += [browser.client.cookies["roofops_session"], browser.user.password_hash]
    paths = [
        "/profit",
        f"/jobs/{job.id}",
        f"/profit/jobs/{job.id}/figures/contract",
        f"/profit/jobs/{job.id}/money",
    ]
    for path in paths:
        for headers in ({}, HX):
            body = browser.client.get(path, headers=headers).text
            assert not [secret for secret in secrets if secret in body], path
