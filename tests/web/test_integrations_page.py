"""Settings > Integrations through TestClient: roles, the key form, syncing, runs, status map."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from roofops.auth.principal import SYSTEM
from roofops.config import Settings
from roofops.integrations.jobnimbus.service import REFUSED_KEY, jobnimbus_service
from roofops.kit.time import utcnow
from roofops.models import (
    BackgroundJob,
    ConnectionStatus,
    IntegrationConnection,
    JobStage,
    Provider,
    Role,
    SyncKind,
    SyncRun,
    SyncRunError,
    SyncRunStatus,
)
from roofops.sandbox.jobnimbus.demo_data import demo_store
from roofops.sandbox.jobnimbus.fake import create_fake_app, serve_fake
from tests.web.conftest import Browser

PAGE = "/settings/integrations"
KEY_URL = f"{PAGE}/jobnimbus/key"
SYNC_URL = f"{PAGE}/jobnimbus/sync"
MAP_URL = f"{PAGE}/jobnimbus/status-map"
API_KEY = "jn-test-key-8c1f29d7e4"
HX = {"HX-Request": "true"}
UNSAFE = (KEY_URL, f"{PAGE}/jobnimbus/forget", SYNC_URL, MAP_URL, f"{MAP_URL}/remove")


@pytest.fixture(scope="module")
def fake_url() -> Iterator[str]:
    app = create_fake_app(demo_store(12), api_key=API_KEY)
    with serve_fake(app) as url:
        yield url


@pytest.fixture
def app(settings: Settings, session_maker: sessionmaker[Session], fake_url: str) -> FastAPI:
    """The app talks to the local fake: keys typed on the page are checked against it."""
    from roofops.app import create_app

    local = settings.model_copy(update={"jobnimbus_base_url": fake_url})
    return create_app(local, session_maker, run_background=False)


@pytest.fixture
def connected(db: Session, settings: Settings, fake_url: str) -> IntegrationConnection:
    jobnimbus_service.connect(db, settings, SYSTEM, API_KEY, base_url=fake_url)
    connection = db.scalars(sa.select(IntegrationConnection)).one()
    db.commit()
    return connection


def make_run(db: Session, status: SyncRunStatus, **fields: object) -> SyncRun:
    started = utcnow() - timedelta(minutes=5)
    finished = None if status == SyncRunStatus.RUNNING else started + timedelta(seconds=42)
    values: dict[str, object] = {
        "kind": SyncKind.INCREMENTAL,
        "triggered_by": "Dana Whitfield",
        "started_at": started,
        "heartbeat_at": started,
        "finished_at": finished,
    }
    run = SyncRun(provider=Provider.JOBNIMBUS, status=status, **(values | fields))
    db.add(run)
    db.flush()
    return run


def queued_syncs(db: Session, is_postgres: bool) -> int:
    """Syncs waiting for a worker: procrastinate's table on PostgreSQL, ours on SQLite."""
    if is_postgres:
        query = "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'jobnimbus.sync'"
        return db.scalar(sa.text(query)) or 0
    statement = sa.select(sa.func.count()).where(BackgroundJob.task_name == "jobnimbus.sync")
    return db.scalar(statement) or 0


# ----- who may see and do what -----------------------------------------------------------
@pytest.mark.parametrize("role", [Role.VIEWER, Role.CREW_LEAD, Role.DISPATCHER])
def test_roles_without_integration_access_are_refused(
    sign_in: Callable[[Role], Browser], role: Role
) -> None:
    browser = sign_in(role)
    assert browser.client.get(PAGE).status_code == 403
    assert browser.client.get(f"{PAGE}/jobnimbus/runs", headers=HX).status_code == 403
    assert 'href="/settings/integrations"' not in browser.client.get("/settings").text
    for path in UNSAFE:
        assert browser.post(path, {"api_key": API_KEY, "status_name": "X"}).status_code == 403


@pytest.mark.parametrize("path", UNSAFE)
def test_unsafe_requests_need_the_csrf_token(sign_in: Callable[[Role], Browser], path: str) -> None:
    browser = sign_in(Role.ADMIN)
    response = browser.client.post(path, data={"api_key": API_KEY}, follow_redirects=False)
    assert response.status_code == 403
    assert "CSRF" in response.text


@pytest.mark.parametrize("role", [Role.OFFICE, Role.FINANCE])
def test_office_can_sync_but_not_change_the_connection(
    sign_in: Callable[[Role], Browser], connected: IntegrationConnection, role: Role
) -> None:
    browser = sign_in(role)
    page = browser.client.get(PAGE)
    assert page.status_code == 200
    assert f'action="{SYNC_URL}"' in page.text
    assert f'action="{KEY_URL}"' not in page.text
    assert 'type="password"' not in page.text
    assert f'action="{MAP_URL}"' not in page.text
    assert "Forget key" not in page.text
    assert browser.post(KEY_URL, {"api_key": API_KEY}).status_code == 403
    assert browser.post(MAP_URL, {"status_name": "X", "stage": "lead"}).status_code == 403


def test_settings_links_to_the_page_with_the_connection_status(
    sign_in: Callable[[Role], Browser], connected: IntegrationConnection
) -> None:
    page = sign_in(Role.OFFICE).client.get("/settings").text
    assert 'href="/settings/integrations"' in page
    assert 'data-connection-status="connected"' in page


# ----- the connection ------------------------------------------------------------------------
def test_admin_sees_the_key_form_before_anything_is_configured(
    sign_in: Callable[[Role], Browser],
) -> None:
    page = sign_in(Role.ADMIN).client.get(PAGE).text
    assert 'data-connection-status="not_configured"' in page
    assert f'action="{KEY_URL}"' in page
    assert '<input id="jobnimbus-key" name="api_key" type="password"' in page
    assert "Connect JobNimbus with an API key to sync." in page
    assert f'action="{SYNC_URL}"' not in page
    assert 'aria-current="page">Integrations</a>' in page


def test_admin_connects_and_the_key_is_never_shown(
    sign_in: Callable[[Role], Browser], db: Session
) -> None:
    browser = sign_in(Role.ADMIN)
    response = browser.post(KEY_URL, {"api_key": API_KEY})
    assert response.status_code == 303
    assert response.headers["location"] == f"{PAGE}?saved=connected#key"
    page = browser.client.get(response.headers["location"]).text
    assert "JobNimbus accepted the key" in page
    assert 'data-connection-status="connected"' in page
    assert f"…{API_KEY[-4:]}" in page
    assert "Entered here" in page
    assert "Every 15 minutes" in page
    assert "Forget key" in page
    bodies = [page, browser.client.get("/settings").text]
    bodies.append(browser.client.get(f"{PAGE}/jobnimbus/runs", headers=HX).text)
    assert not [body for body in bodies if API_KEY in body or API_KEY[:-4] in body]


def test_a_refused_key_is_explained_in_place(
    sign_in: Callable[[Role], Browser], connected: IntegrationConnection
) -> None:
    browser = sign_in(Role.ADMIN)
    wrong = "not-the-right-key-123"
    response = browser.post(KEY_URL, {"api_key": wrong})
    assert response.status_code == 422
    error = re.search(
        r'<div class="alert alert-error" role="alert" id="key-error">([^<]+)', response.text
    )
    assert error
    assert error.group(1) == html.escape(REFUSED_KEY)
    assert wrong not in response.text
    assert 'id="status-map-table"' in response.text  # the rest of the page is still there
    assert 'id="sync-runs"' in response.text
    assert 'data-connection-status="connected"' in response.text  # the old key still stands
    short = browser.post(KEY_URL, {"api_key": "abc"})
    assert short.status_code == 422
    assert "Enter the whole JobNimbus API key." in short.text


def test_forgetting_the_key_disconnects(
    sign_in: Callable[[Role], Browser], connected: IntegrationConnection
) -> None:
    browser = sign_in(Role.ADMIN)
    response = browser.post(f"{PAGE}/jobnimbus/forget")
    assert response.headers["location"] == f"{PAGE}?saved=forgotten#key"
    page = browser.client.get(PAGE).text
    assert 'data-connection-status="disconnected"' in page
    assert "Forget key" not in page


def test_a_failed_connection_shows_its_error_prominently(
    sign_in: Callable[[Role], Browser], connected: IntegrationConnection, db: Session
) -> None:
    connected.status, connected.last_error = ConnectionStatus.FAILED, REFUSED_KEY
    db.commit()
    page = sign_in(Role.OFFICE).client.get(PAGE).text
    alert = re.search(r'id="jobnimbus-failed">(.*?)</div>', page, re.S)
    assert alert
    assert "The JobNimbus connection failed" in alert.group(1)
    assert html.escape(REFUSED_KEY) in alert.group(1)
    assert 'data-connection-status="failed"' in page


# ----- syncing and the run history ----------------------------------------------------------
def test_sync_buttons_queue_a_sync(
    sign_in: Callable[[Role], Browser],
    connected: IntegrationConnection,
    db: Session,
    is_postgres: bool,
) -> None:
    browser = sign_in(Role.OFFICE)
    before = queued_syncs(db, is_postgres)
    plain = browser.post(SYNC_URL, {"full": "true"})
    assert plain.headers["location"] == f"{PAGE}?saved=resync#sync"
    # The run exists from the moment it is queued: a second press is refused, not queued.
    again = browser.post(SYNC_URL, {"full": "false"}, headers=HX)
    assert again.status_code == 409
    assert "already running" in again.text
    assert queued_syncs(db, is_postgres) == before + 1


def test_run_history_shows_counts_outcomes_and_errors(
    sign_in: Callable[[Role], Browser], connected: IntegrationConnection, db: Session
) -> None:
    counts = {"requests": 7, "fetched": 1234, "created": 5, "updated": 6, "unchanged": 1220}
    make_run(db, SyncRunStatus.SUCCEEDED, **counts)
    failed = make_run(db, SyncRunStatus.FAILED, error="JobNimbus answered 503 three times")
    partial = make_run(db, SyncRunStatus.PARTIAL, failed=1, kind=SyncKind.FULL)
    db.add(
        SyncRunError(
            run_id=partial.id,
            record_type="job",
            external_id="jn-77",
            message="status 'Mystery' is not in the status map",
            created_at=utcnow(),
        )
    )
    running = make_run(db, SyncRunStatus.RUNNING, phase="jobs", progress_done=40)
    running.started_at = utcnow()
    db.commit()
    browser = sign_in(Role.FINANCE)
    page = browser.client.get(PAGE).text
    for text in ("1,234", "1,220", "Succeeded", "Partial", "Running", "Full", "Dana Whitfield"):
        assert text in page
    assert "JobNimbus answered 503 three times." in page
    assert "42 s" in page
    assert f'data-run-id="{failed.id}" data-status="failed"' in page
    assert 'data-state="running"' in page  # the progress line shows the run in flight
    assert "disabled aria-busy" in page
    assert f'hx-get="{PAGE}/jobnimbus/runs/{partial.id}"' in page
    expanded = browser.client.get(f"{PAGE}/jobnimbus/runs/{partial.id}", headers=HX)
    assert expanded.text.lstrip().startswith(f'<tr id="run-errors-{partial.id}"')
    for text in ("Job", "jn-77", "status &#39;Mystery&#39; is not in the status map"):
        assert text in expanded.text
    full_page = browser.client.get(f"{PAGE}/jobnimbus/runs/{partial.id}")
    assert 'class="mainnav"' in full_page.text
    assert "jn-77" in full_page.text


def test_runs_fragment_refreshes_the_connection_out_of_band(
    sign_in: Callable[[Role], Browser], connected: IntegrationConnection
) -> None:
    browser = sign_in(Role.OFFICE)
    fragment = browser.client.get(f"{PAGE}/jobnimbus/runs", headers=HX).text
    assert fragment.lstrip().startswith('<div id="sync-runs"')
    assert '<div id="jobnimbus-status" hx-swap-oob="true">' in fragment
    plain = browser.client.get(f"{PAGE}/jobnimbus/runs", follow_redirects=False)
    assert plain.headers["location"] == f"{PAGE}#sync"


def test_an_unknown_run_is_not_found(sign_in: Callable[[Role], Browser]) -> None:
    missing = f"{PAGE}/jobnimbus/runs/00000000-0000-0000-0000-000000000000"
    assert sign_in(Role.OFFICE).client.get(missing).status_code == 404


# ----- the status map -------------------------------------------------------------------------
def test_admin_edits_the_status_map_in_place(sign_in: Callable[[Role], Browser]) -> None:
    browser = sign_in(Role.ADMIN)
    page = browser.client.get(PAGE).text
    assert "Changes apply from the next sync" in page
    assert "Full resync" in page
    assert len(re.findall(r'<select id="map-stage-\d+" name="stage">', page)) > 5
    assert page.count('<option value="lead"') >= 2  # every row offers every stage
    added = browser.post(MAP_URL, {"status_name": " Waiting on HOA ", "stage": "estimate"}, HX)
    assert added.status_code == 200
    assert added.text.lstrip().startswith('<section class="card" id="status-map"')
    assert "Status map saved" in added.text
    row = _row(added.text, "Waiting on HOA")
    assert '<option value="estimate" selected>' in row
    changed = browser.post(MAP_URL, {"status_name": "Waiting on HOA", "stage": "lost"}, HX)
    assert '<option value="lost" selected>' in _row(changed.text, "Waiting on HOA")
    removed = browser.post(f"{MAP_URL}/remove", {"status_name": "Waiting on HOA"}, HX)
    assert 'data-status-name="Waiting on HOA"' not in removed.text
    plain = browser.post(MAP_URL, {"status_name": "Tear-off", "stage": "in_production"})
    assert plain.headers["location"] == f"{PAGE}?saved=mapped#status-map"


def test_bad_status_map_entries_are_explained_in_place(
    sign_in: Callable[[Role], Browser],
) -> None:
    browser = sign_in(Role.ADMIN)
    no_name = browser.post(MAP_URL, {"status_name": "  ", "stage": "lead"}, HX)
    assert no_name.status_code == 422
    assert "Enter the JobNimbus status name." in no_name.text
    no_stage = browser.post(MAP_URL, {"status_name": "Odd", "stage": "bogus"}, HX)
    assert no_stage.status_code == 422
    assert "Choose the stage this status means." in no_stage.text
    too_long = browser.post(MAP_URL, {"status_name": "x" * 121, "stage": "lead"})
    assert too_long.status_code == 422
    assert "at most 120 characters" in too_long.text
    assert 'id="jobnimbus-status"' in too_long.text


def test_non_admins_see_the_map_read_only(sign_in: Callable[[Role], Browser]) -> None:
    page = sign_in(Role.OFFICE).client.get(PAGE).text
    assert 'id="status-map-table"' in page
    assert "<select" not in page
    assert f"badge badge-{JobStage.CONTRACT_SIGNED.value}" in page


def _row(html: str, status_name: str) -> str:
    match = re.search(rf'<tr data-status-name="{re.escape(status_name)}">(.*?)</tr>', html, re.S)
    assert match, f"no row for {status_name}"
    return match.group(1)


# ----- page hygiene ---------------------------------------------------------------------------
def test_the_page_has_no_inline_script_or_style(
    sign_in: Callable[[Role], Browser], connected: IntegrationConnection
) -> None:
    response = sign_in(Role.ADMIN).client.get(PAGE)
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", response.text), "inline script"
    assert " style=" not in response.text
    assert not re.search(r"\son[a-z]+=", response.text), "inline event handler"
    assert '<script src="/static/js/integrations.js" defer></script>' in response.text
    assert 'sse-connect="/api/v1/events?topics=sync.progress"' in response.text
