"""The status map and branch map endpoints: what they show after a sync, saving with a resync,
and who may do what (403) with which bodies (422), keys included."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from roofops.config import Settings
from roofops.integrations.jobnimbus.status_map import DEFAULT_STATUS_MAP
from roofops.models import CrmStatusMapping, Role
from tests.factories import ApiClient, make_branch
from tests.integrations.jobnimbus_account import (
    UNKNOWN,
    Account,
    connect_and_sync,
    serving,
)

BASE = "/api/v1/integrations/jobnimbus"


@pytest.fixture(scope="module")
def account() -> Iterator[Account]:
    with serving() as served:
        yield served


@pytest.fixture
def synced(
    account: Account, db: Session, settings: Settings, session_maker: sessionmaker[Session]
) -> None:
    account.fresh()
    connect_and_sync(db, settings, session_maker, account.url)


def test_statuses_show_workflows_and_what_is_not_mapped(api: ApiClient, synced: None) -> None:
    response = api.as_role(Role.OFFICE).get(f"{BASE}/statuses")

    assert response.status_code == 200
    body = response.json()
    assert [w["name"] for w in body["workflows"]] == [
        "Residential",
        "Insurance",
        "Commercial",
        "Repair",
    ]
    residential = {s["status_name"]: s for s in body["workflows"][0]["statuses"]}
    assert residential["Estimate Sent"] == {
        "status_name": "Estimate Sent",
        "stage": "estimate",
        "is_closed": False,
        "chosen_in": "",
    }
    assert residential[UNKNOWN]["stage"] is None
    assert body["unmapped"] == [
        {"status_name": UNKNOWN, "jobs": 1, "history_entries": 1, "in_workflows": True}
    ]
    assert body["other_mappings"] == []


def test_saving_statuses_queues_a_full_resync(api: ApiClient, synced: None) -> None:
    admin = api.as_role(Role.ADMIN)
    mappings = [{"status_name": UNKNOWN, "stage": "materials_ordered"}]

    response = admin.post(f"{BASE}/status-map/save-and-resync", json={"mappings": mappings})

    assert response.status_code == 200, response.text
    body = response.json()
    assert {"status_name": UNKNOWN, "stage": "materials_ordered"} in body["mappings"]
    assert (body["run"]["kind"], body["run"]["status"], body["resync_refused"]) == (
        "full",
        "running",
        "",
    )
    again = admin.post(f"{BASE}/status-map/save-and-resync", json={"mappings": mappings})
    assert again.json()["run"] is None
    assert "already running" in again.json()["resync_refused"]
    # The one-status endpoint still works.
    single = admin.put(f"{BASE}/status-map", json={"status_name": UNKNOWN, "stage": None})
    assert single.status_code == 200
    assert UNKNOWN not in {m["status_name"] for m in single.json()}


@pytest.mark.parametrize(
    "body",
    [
        {"mappings": []},
        {"mappings": [{"status_name": UNKNOWN, "stage": "somewhere"}]},
        {"mappings": [{"status_name": "", "stage": "lead"}]},
        {"mappings": [{"status_name": UNKNOWN, "stage": "lead"}], "resync": False},
    ],
)
def test_bad_status_map_bodies_are_422(api: ApiClient, body: dict[str, Any]) -> None:
    response = api.as_role(Role.ADMIN).post(f"{BASE}/status-map/save-and-resync", json=body)
    assert response.status_code == 422


def test_the_branch_map_lists_locations_and_reps_and_saves_with_a_resync(
    api: ApiClient, synced: None, db: Session
) -> None:
    admin = api.as_role(Role.ADMIN)
    listed = admin.get(f"{BASE}/branch-map").json()
    location = next(m for m in listed["mappings"] if m["kind"] == "location")
    branch = make_branch(db, name="Storm yard")
    db.commit()
    choice = {
        "kind": "location",
        "external_id": location["external_id"],
        "branch_id": str(branch.id),
    }

    response = admin.post(f"{BASE}/branch-map/save-and-resync", json={"mappings": [choice]})

    assert response.status_code == 200, response.text
    saved = next(m for m in response.json()["mappings"] if m["name"] == location["name"])
    assert saved["branch_id"] == str(branch.id)
    assert response.json()["run"]["kind"] == "full"
    assert {"sales_rep", "location"} == {m["kind"] for m in listed["mappings"]}
    assert str(branch.id) in {b["id"] for b in admin.get(f"{BASE}/branch-map").json()["branches"]}


@pytest.mark.parametrize(
    ("choice", "message"),
    [
        (
            {"kind": "location", "external_id": "nowhere", "branch_id": None},
            "no JobNimbus location",
        ),
        (
            {"kind": "location", "external_id": "1", "branch_id": str(uuid.uuid4())},
            "no such branch",
        ),
        ({"kind": "office", "external_id": "1", "branch_id": None}, "kind"),
    ],
)
def test_bad_branch_map_choices_are_422(
    api: ApiClient, synced: None, choice: dict[str, Any], message: str
) -> None:
    admin = api.as_role(Role.ADMIN)

    response = admin.post(f"{BASE}/branch-map/save-and-resync", json={"mappings": [choice]})

    assert response.status_code == 422
    assert message in response.text


@pytest.mark.parametrize("role", [Role.OFFICE, Role.FINANCE, Role.VIEWER, Role.DISPATCHER])
def test_only_admins_save_the_maps(api: ApiClient, role: Role) -> None:
    client = api.as_role(role)
    statuses = {"mappings": [{"status_name": UNKNOWN, "stage": "lead"}]}
    branches = {"mappings": [{"kind": "location", "external_id": "1", "branch_id": None}]}

    assert client.post(f"{BASE}/status-map/save-and-resync", json=statuses).status_code == 403
    assert client.post(f"{BASE}/branch-map/save-and-resync", json=branches).status_code == 403


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CREW_LEAD, Role.DISPATCHER])
def test_roles_without_integrations_cannot_read_the_maps(api: ApiClient, role: Role) -> None:
    client = api.as_role(role)

    assert client.get(f"{BASE}/statuses").status_code == 403
    assert client.get(f"{BASE}/branch-map").status_code == 403


@pytest.mark.parametrize("pasted", ["clé-0123456789", "abcd efgh 1234", "“abcdefgh1234”"])
def test_a_key_that_cannot_travel_in_a_header_is_refused_before_any_call(
    api: ApiClient, pasted: str
) -> None:
    response = api.as_role(Role.ADMIN).put(
        "/api/v1/integrations/jobnimbus/api-key",
        json={"api_key": pasted, "base_url": "http://127.0.0.1:9/never-called"},
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["fields"][0]["field"] == "api_key"


def test_reading_the_stock_status_map_writes_nothing_until_an_admin_edits_it(
    api: ApiClient, db: Session
) -> None:
    """A read seeding the map raced the worker for SQLite's one writer ("database is locked")."""
    stored = sa.select(sa.func.count()).select_from(CrmStatusMapping)

    stock = api.as_role(Role.OFFICE).get(f"{BASE}/status-map")

    assert stock.status_code == 200
    assert len(stock.json()) == len(DEFAULT_STATUS_MAP)
    assert db.scalar(stored) == 0
    edited = api.as_role(Role.ADMIN).put(
        f"{BASE}/status-map", json={"status_name": "Tear-off Day", "stage": "in_production"}
    )
    assert edited.status_code == 200
    assert db.scalar(stored) == len(DEFAULT_STATUS_MAP) + 1
    assert {"status_name": "Tear-off Day", "stage": "in_production"} in edited.json()
