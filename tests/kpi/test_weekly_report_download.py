"""The weekly report's PDF from the API and from the Executive page: who may have it, which
week, and clear refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from roofops.company.service import company_service
from roofops.kpi.weekly_report import last_full_week, week_of
from roofops.models import Role
from tests.factories import ApiClient, make_user
from tests.web.conftest import PASSWORD, login

API = "/api/v1/executive/report.pdf"
PAGE = "/executive/report.pdf"


@pytest.mark.parametrize("role", [Role.ADMIN, Role.FINANCE])
def test_the_api_gives_the_last_full_week_by_default(
    api: ApiClient, db: Session, role: Role
) -> None:
    response = api.as_role(role).get(API)

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    week = last_full_week(company_service.today(db))
    disposition = f'attachment; filename="executive-report-{week.start.isoformat()}.pdf"'
    assert response.headers["content-disposition"] == disposition
    assert response.content.startswith(b"%PDF")


def test_any_day_names_its_week_and_a_week_to_come_is_refused(api: ApiClient, db: Session) -> None:
    finance = api.as_role(Role.FINANCE)
    today = company_service.today(db)

    asked = finance.get(API, params={"week": (today - timedelta(days=20)).isoformat()})
    future = finance.get(API, params={"week": (today + timedelta(days=8)).isoformat()})
    garbled = finance.get(API, params={"week": "last week"})

    start = week_of(today - timedelta(days=20)).start.isoformat()
    assert asked.status_code == 200
    assert f"executive-report-{start}.pdf" in asked.headers["content-disposition"]
    assert future.status_code == 422
    assert "has not started yet" in future.text
    assert garbled.status_code == 422


@pytest.mark.parametrize("role", [Role.OFFICE, Role.DISPATCHER, Role.CREW_LEAD, Role.VIEWER])
def test_roles_without_the_executive_view_are_refused(api: ApiClient, role: Role) -> None:
    assert api.as_role(role).get(API).status_code == 403


def test_the_page_download_needs_a_signed_in_finance_or_admin_user(
    client: TestClient, db: Session
) -> None:
    assert client.get(PAGE, follow_redirects=False).status_code in (303, 401)
    office = make_user(db, role=Role.OFFICE, password=PASSWORD)
    finance = make_user(db, role=Role.FINANCE, password=PASSWORD)
    db.commit()

    assert login(client, office.email, PASSWORD).status_code == 303
    assert client.get(PAGE).status_code == 403
    client.cookies.clear()
    assert login(client, finance.email, PASSWORD).status_code == 303
    response = client.get(PAGE)

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
