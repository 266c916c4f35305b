"""The sync routes every integration shares: request a run, follow it, one at a time, roles."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from roofops.config import Settings
from roofops.models import Role
from tests.factories import ApiClient, connect_quickbooks

QUICKBOOKS = "/api/v1/integrations/quickbooks"
JOBNIMBUS = "/api/v1/integrations/jobnimbus"


def test_a_sync_returns_its_run_and_refuses_a_second(
    api: ApiClient, db: Session, settings: Settings
) -> None:
    connect_quickbooks(db, settings)
    finance = api.as_role(Role.FINANCE)

    first = finance.post(f"{QUICKBOOKS}/sync")
    second = finance.post(f"{QUICKBOOKS}/sync", json={"full": True})

    assert first.status_code == 202, first.text
    run = first.json()
    # Nothing was read before: the first run reads everything, and says so.
    assert (run["provider"], run["status"], run["kind"]) == ("quickbooks", "running", "full")
    assert finance.get(f"{QUICKBOOKS}/runs/{run['id']}").json()["id"] == run["id"]
    assert [listed["id"] for listed in finance.get(f"{QUICKBOOKS}/runs").json()] == [run["id"]]
    assert second.status_code == 409
    assert "a QuickBooks sync is already running" in second.json()["error"]["message"]


@pytest.mark.parametrize("base", [QUICKBOOKS, JOBNIMBUS])
def test_nothing_connected_is_refused_before_any_run_exists(api: ApiClient, base: str) -> None:
    admin = api.as_role(Role.ADMIN)

    refused = admin.post(f"{base}/sync")

    assert refused.status_code == 409
    assert "Settings > Integrations" in refused.json()["error"]["message"]
    assert admin.get(f"{base}/runs").json() == []


def test_a_run_of_one_vendor_is_not_found_under_another(
    api: ApiClient, db: Session, settings: Settings
) -> None:
    connect_quickbooks(db, settings)
    admin = api.as_role(Role.ADMIN)
    run = admin.post(f"{QUICKBOOKS}/sync").json()

    assert admin.get(f"{JOBNIMBUS}/runs/{run['id']}").status_code == 404


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CREW_LEAD, Role.DISPATCHER])
@pytest.mark.parametrize("base", [QUICKBOOKS, JOBNIMBUS])
def test_roles_without_integrations_can_neither_sync_nor_read_runs(
    api: ApiClient, role: Role, base: str
) -> None:
    client = api.as_role(role)
    assert client.post(f"{base}/sync").status_code == 403
    assert client.get(f"{base}/runs").status_code == 403
