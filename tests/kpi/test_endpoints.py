"""The executive API: who may read it, the period it answers for, money left out without
view_money, and bad input refused with a message."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from roofops.kpi.registry import KPIS
from roofops.models import Role
from tests.factories import ApiClient
from tests.kpi.conftest import Company

URL = "/api/v1/executive"


@pytest.mark.parametrize("role", [Role.OFFICE, Role.DISPATCHER, Role.CREW_LEAD, Role.VIEWER])
def test_only_admins_and_finance_read_the_kpis(api: ApiClient, role: Role) -> None:
    client = api.as_role(role)
    for path in ("/kpis", "/registry"):
        refused = client.get(URL + path)
        assert refused.status_code == 403, path
        assert "view_executive" in refused.json()["error"]["message"]


def test_the_registry_lists_every_kpi_with_its_definition(api: ApiClient) -> None:
    body = api.as_role(Role.FINANCE).get(f"{URL}/registry").json()

    assert [kpi["key"] for kpi in body] == [kpi.key for kpi in KPIS]
    revenue = body[0]
    assert revenue["unit"] == "cents"
    assert revenue["money"] is True
    assert revenue["formula"]
    assert revenue["sources"]


def test_a_month_with_comparisons_and_thirteen_months_of_history(
    api: ApiClient, db: Session, company: Company
) -> None:
    db.commit()
    response = api.as_role(Role.FINANCE).get(
        f"{URL}/kpis", params={"grain": "month", "period": "2026-05-17"}
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["period"] == {
        "start": "2026-05-01",
        "end": "2026-05-31",
        "grain": "month",
        "label": "May 2026",
    }
    assert [kpi["key"] for kpi in body["kpis"]] == [kpi.key for kpi in KPIS]
    close_rate = next(kpi for kpi in body["kpis"] if kpi["key"] == "close_rate")
    history = close_rate["history"]
    assert len(history) == 13
    assert history[0]["period"]["start"] == "2025-05-01"
    assert history[-1]["value"] == close_rate["value"]
    assert history[-2]["value"] == close_rate["previous"]
    assert history[0]["value"] == close_rate["year_before"]
    revenue = body["kpis"][0]
    assert revenue["value"] == int(revenue["value"])  # cents
    assert sum(revenue["source_shares"].values()) == pytest.approx(1)


def test_a_week_runs_monday_to_sunday(api: ApiClient, db: Session, company: Company) -> None:
    db.commit()
    body = (
        api.as_role(Role.ADMIN)
        .get(f"{URL}/kpis", params={"grain": "week", "period": "2026-06-18"})
        .json()
    )
    assert (body["period"]["start"], body["period"]["end"]) == ("2026-06-15", "2026-06-21")
    assert body["period"]["label"] == "week of 2026-06-15"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"grain": "year"}, "grain"),
        ({"period": "2026-13-01"}, "period"),
        ({"period": "2999-01-01"}, "period"),
    ],
)
def test_bad_input_is_a_422_that_says_why(
    api: ApiClient, params: dict[str, str], field: str
) -> None:
    response = api.as_role(Role.ADMIN).get(f"{URL}/kpis", params=params)

    assert response.status_code == 422
    assert field in response.text
