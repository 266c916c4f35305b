"""Settings > Integrations, the status map and branch map sections, after a real sync against the
fake: the account's workflows with a stage each, the statuses not mapped with their jobs, one
"Save and resync" per map, read-only for everyone but admins."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from roofops.config import Settings
from roofops.integrations.jobnimbus.service import jobnimbus_service
from roofops.models import BackgroundJob, CrmBranchKey, Job, JobStage, Role
from tests.factories import make_branch
from tests.integrations.jobnimbus_account import UNKNOWN, Account, connect_and_sync, serving
from tests.web.conftest import Browser

PAGE = "/settings/integrations"
STATUSES_URL = f"{PAGE}/jobnimbus/status-map/save-and-resync"
BRANCHES_URL = f"{PAGE}/jobnimbus/branch-map/save-and-resync"
HX = {"HX-Request": "true"}


@pytest.fixture(scope="module")
def account() -> Iterator[Account]:
    with serving() as served:
        yield served


@pytest.fixture
def app(settings: Settings, session_maker: sessionmaker[Session], account: Account) -> FastAPI:
    from roofops.app import create_app

    local = settings.model_copy(update={"jobnimbus_base_url": account.url})
    return create_app(local, session_maker, run_background=False)


@pytest.fixture
def synced(
    account: Account, db: Session, settings: Settings, session_maker: sessionmaker[Session]
) -> None:
    account.fresh()
    connect_and_sync(db, settings, session_maker, account.url)


def queued_syncs(db: Session, is_postgres: bool) -> int:
    if is_postgres:
        query = "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'jobnimbus.sync'"
        return db.scalar(sa.text(query)) or 0
    statement = sa.select(sa.func.count()).where(BackgroundJob.task_name == "jobnimbus.sync")
    return db.scalar(statement) or 0


def workflow_form(page: str) -> dict[str, list[str]]:
    """The bulk form as the browser would post it: every status with its selected stage."""
    form = re.search(r'<form[^>]*id="status-map-all".*?</form>', page, re.S)
    assert form, "no Save and resync form"
    names = re.findall(r'name="status_name" value="([^"]*)"', form.group(0))
    selects = re.findall(r'<select[^>]*name="stage">(.*?)</select>', form.group(0), re.S)
    chosen = [re.search(r'value="([^"]*)" selected', s) for s in selects]
    return {"status_name": names, "stage": [m.group(1) if m else "" for m in chosen]}


def test_admin_sees_the_workflows_and_what_is_not_mapped(
    sign_in: Callable[[Role], Browser], synced: None, db: Session
) -> None:
    page = sign_in(Role.ADMIN).client.get(PAGE).text

    assert "Your JobNimbus workflows" in page
    for workflow in ("Residential", "Insurance", "Commercial", "Repair"):
        assert f'data-workflow="{workflow}"' in page
    assert "as in Residential" in page  # "Lead" again in Insurance: one stage per name
    row = re.search(rf'<tr data-unmapped-status="{UNKNOWN}">(.*?)</tr>', page, re.S)
    assert row
    flagged = db.scalars(sa.select(Job).where(Job.unmapped_crm_status == UNKNOWN)).one()
    assert f'<a href="/jobs/{flagged.id}">#{flagged.number}</a>' in row.group(1)
    assert "Choose it under its workflow below" in row.group(1)
    form = workflow_form(page)
    chosen = dict(zip(form["status_name"], form["stage"], strict=True))
    assert (chosen[UNKNOWN], chosen["Estimate Sent"]) == ("", "estimate")
    assert "Save and resync" in page
    assert 'id="status-map-table"' in page  # other names: none, but the table is there


def test_save_and_resync_saves_every_choice_and_queues_a_full_resync(
    sign_in: Callable[[Role], Browser], synced: None, db: Session, is_postgres: bool
) -> None:
    browser = sign_in(Role.ADMIN)
    form = workflow_form(browser.client.get(PAGE).text)
    form["stage"][form["status_name"].index(UNKNOWN)] = "materials_ordered"
    before = queued_syncs(db, is_postgres)

    response = browser.post(STATUSES_URL, form, HX)  # type: ignore[arg-type]

    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section class="card" id="status-map"')
    assert "A full resync is queued" in response.text
    assert queued_syncs(db, is_postgres) == before + 1
    assert jobnimbus_service.stage_lookup(db)(UNKNOWN) == JobStage.MATERIALS_ORDERED
    assert workflow_form(response.text)["stage"][form["status_name"].index(UNKNOWN)] == (
        "materials_ordered"
    )
    plain = browser.post(STATUSES_URL, form)  # type: ignore[arg-type]
    assert plain.status_code == 303  # a sync is queued now: saved, not queued again
    assert plain.headers["location"] == f"{PAGE}?saved=statuses-saved#status-map"


def test_bad_choices_are_explained_in_place(
    sign_in: Callable[[Role], Browser], synced: None
) -> None:
    browser = sign_in(Role.ADMIN)

    wrong = browser.post(STATUSES_URL, {"status_name": UNKNOWN, "stage": "roofing"}, HX)
    assert wrong.status_code == 422
    assert f"Choose the stage &#39;{UNKNOWN}&#39; means." in wrong.text
    cut = browser.client.post(
        STATUSES_URL,
        data={"csrf_token": browser.csrf, "status_name": [UNKNOWN, "Lead"], "stage": ["lead"]},
        headers=HX,
    )
    assert cut.status_code == 422
    assert "The form is incomplete" in cut.text


def test_the_branch_map_lists_locations_and_reps_and_saves_with_a_resync(
    sign_in: Callable[[Role], Browser], synced: None, db: Session
) -> None:
    yard = make_branch(db, name="Storm yard")
    db.commit()
    browser = sign_in(Role.ADMIN)
    page = browser.client.get(PAGE).text
    sources = re.findall(r'<tr data-branch-source="([^"]+)">', page)
    assert {source.split(":")[0] for source in sources} == {"location", "sales_rep"}
    form = {"source": sources, "branch_id": ["" for _ in sources]}
    form["branch_id"][0] = str(yard.id)

    response = browser.post(BRANCHES_URL, form, HX)  # type: ignore[arg-type]

    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section class="card" id="branch-map"')
    assert "Branch map saved. A full resync is queued" in response.text
    assert f'<option value="{yard.id}" selected>' in response.text
    rows = jobnimbus_service.branch_map(db).mappings
    kind, external_id = sources[0].split(":", 1)
    chosen = next(r for r in rows if (r.kind, r.external_id) == (CrmBranchKey(kind), external_id))
    assert chosen.branch_id == yard.id


def test_other_roles_see_both_maps_read_only_and_cannot_save(
    sign_in: Callable[[Role], Browser], synced: None
) -> None:
    browser = sign_in(Role.OFFICE)
    page = browser.client.get(PAGE).text

    assert "<select" not in page
    assert 'id="branch-map"' in page
    assert '<span class="status-pill warn">Not mapped</span>' in page
    assert "Save and resync<span" not in page  # no button
    assert browser.post(STATUSES_URL, {"status_name": UNKNOWN, "stage": "lead"}).status_code == 403
    assert browser.post(BRANCHES_URL, {"source": "location:1", "branch_id": ""}).status_code == 403


@pytest.mark.parametrize("path", [STATUSES_URL, BRANCHES_URL])
def test_saving_a_map_needs_the_csrf_token(sign_in: Callable[[Role], Browser], path: str) -> None:
    browser = sign_in(Role.ADMIN)
    response = browser.client.post(path, data={"status_name": UNKNOWN}, follow_redirects=False)
    assert response.status_code == 403
    assert "CSRF" in response.text


def test_before_any_sync_the_branch_map_says_where_rows_come_from(
    sign_in: Callable[[Role], Browser],
) -> None:
    page = sign_in(Role.ADMIN).client.get(PAGE).text
    assert 'id="branch-map-empty"' in page
    assert "Your JobNimbus workflows" not in page
