"""The performance API: who may see it, money left out without view_money, bad input as 422."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from roofops.models import Role
from tests.factories import ApiClient
from tests.performance.world import CrewWorld

BASE = "/api/v1/performance"
MARCH = {"start": "2025-03-01", "end": "2025-03-31"}


@pytest.fixture
def committed(db: Session, crew_world: CrewWorld) -> CrewWorld:
    db.commit()
    return crew_world


def test_crews_with_and_without_money(api: ApiClient, committed: CrewWorld) -> None:
    [row] = api.as_role(Role.FINANCE).get(f"{BASE}/crews", params=MARCH).json()
    assert row["crew_id"] == str(committed.crew.id)
    assert row["squares_per_crew_day"] == pytest.approx(50 / 7)
    assert row["margin"]["value"] == pytest.approx(0.4)
    [hidden] = api.as_role(Role.DISPATCHER).get(f"{BASE}/crews", params=MARCH).json()
    assert hidden["margin"] is None
    assert hidden["completed_jobs"] == 2


def test_drill_down_lists_the_jobs_and_guards_money(api: ApiClient, committed: CrewWorld) -> None:
    asked = MARCH | {"figure": "crew_squares", "subject": str(committed.crew.id)}
    found = api.as_role(Role.DISPATCHER).get(f"{BASE}/drill-down", params=asked).json()
    assert {row["number"] for row in found["rows"]} == {
        committed.on_time.number,
        committed.late.number,
    }
    money = asked | {"figure": "crew_margin"}
    refused = api.as_role(Role.DISPATCHER).get(f"{BASE}/drill-down", params=money)
    assert refused.status_code == 403
    assert "view_money" in refused.text


@pytest.mark.parametrize("path", ["crews", "reps", "cycle-times", "backlog"])
def test_every_list_answers_and_the_viewer_is_refused(api: ApiClient, path: str) -> None:
    assert api.as_role(Role.OFFICE).get(f"{BASE}/{path}").status_code == 200
    assert api.as_role(Role.VIEWER).get(f"{BASE}/{path}").status_code == 403


def test_bad_input_is_a_422_that_says_what_is_wrong(api: ApiClient) -> None:
    office = api.as_role(Role.OFFICE)
    backwards = office.get(f"{BASE}/crews", params={"start": "2025-03-02", "end": "2025-03-01"})
    assert backwards.status_code == 422
    assert "ends before it starts" in backwards.text
    assert office.get(f"{BASE}/reps", params={"start": "March"}).status_code == 422
    unknown = office.get(f"{BASE}/drill-down", params={"figure": "luck"})
    assert unknown.status_code == 422
