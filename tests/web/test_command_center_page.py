"""The Command Center page and its live fragment, through TestClient: crews with their state,
alerts by role, the map's data, the branch filter, bad input."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy.orm import Session

from roofops.field.service import field_service
from roofops.models import JobStage, Role
from tests.factories import make_branch, make_crew, make_job
from tests.operations.conftest import (
    failed_sync,
    open_invoice,
    publish_schedule,
    working_every_day,
)
from tests.web.conftest import Browser

SignIn = Callable[[Role], Browser]
MAP_DATA = re.compile(r"data-points='([^']*)'")


def _crew_at_work(db: Session) -> tuple[date, str, str]:
    today = field_service.today(db)
    crew = working_every_day(make_crew(db))
    job = make_job(db, stage=JobStage.SCHEDULED, number="CC-1")
    publish_schedule(db, today, [(job, crew, [today])])
    db.commit()
    return today, str(crew.id), str(job.id)


def test_each_crew_is_listed_with_its_state_and_today_s_work(sign_in: SignIn, db: Session) -> None:
    _, crew_id, job_id = _crew_at_work(db)
    html = sign_in(Role.DISPATCHER).client.get("/command-center").text
    assert f'data-crew-id="{crew_id}" data-state="scheduled"' in html
    assert f'href="/jobs/{job_id}">CC-1</a>' in html
    assert 'hx-trigger="sse:crew.status_changed delay:250ms' in html
    assert 'id="live-status"' in html
    (points,) = MAP_DATA.findall(html)
    sites = [p for p in json.loads(points.replace("&#39;", "'")) if p["kind"] == "job"]
    assert [(p["state"], p["link"]) for p in sites] == [("scheduled", f"/jobs/{job_id}")]


def test_the_live_fragment_is_the_live_part_only(sign_in: SignIn, db: Session) -> None:
    today, crew_id, _ = _crew_at_work(db)
    browser = sign_in(Role.VIEWER)
    response = browser.client.get(
        f"/command-center/live?day={today.isoformat()}", headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert f'data-crew-id="{crew_id}"' in response.text
    assert 'id="ops-map-data"' in response.text


def test_every_figure_says_what_it_counts(sign_in: SignIn, db: Session) -> None:
    _crew_at_work(db)
    html = sign_in(Role.VIEWER).client.get("/command-center").text
    for state in ("scheduled", "en_route", "on_site", "finished", "blocked"):
        stat = re.search(rf'class="card stat ops-stat" data-state="{state}" title="([^"]+)"', html)
        assert stat, state
        assert "Counted over the crews" in stat.group(1)


def test_money_and_integrations_alerts_follow_the_role(sign_in: SignIn, db: Session) -> None:
    failed_sync(db)
    open_invoice(
        db, make_job(db), total=123_400, paid=0, due=field_service.today(db) - timedelta(days=3)
    )
    db.commit()
    office = sign_in(Role.OFFICE).client.get("/command-center").text
    assert "$1,234.00 outstanding" in office
    assert "JobNimbus sync failed" in office
    dispatcher = sign_in(Role.DISPATCHER).client.get("/command-center").text
    assert "1 invoice overdue" in dispatcher
    assert "$1,234.00" not in dispatcher
    assert "JobNimbus sync failed" not in dispatcher


def test_the_branch_filter_shows_one_branch(sign_in: SignIn, db: Session) -> None:
    north, south = make_branch(db), make_branch(db)
    north_crew = make_crew(db, branch=north)
    south_crew = make_crew(db, branch=south)
    db.commit()
    browser = sign_in(Role.DISPATCHER)
    page = browser.client.get(f"/command-center?branch_id={north.id}").text
    assert 'name="branch_id"' in page
    assert f'data-crew-id="{north_crew.id}"' in page
    assert f'data-crew-id="{south_crew.id}"' not in page
    assert f"branch_id={north.id}" in page  # the live fragment re-reads the same branch


def test_a_bad_day_is_a_clear_4xx(sign_in: SignIn) -> None:
    response = sign_in(Role.VIEWER).client.get("/command-center?day=31-12-2026")
    assert response.status_code == 422
    assert "Day: Input should be a valid date" in response.text
