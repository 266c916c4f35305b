"""GET /api/v1/command-center: the snapshot as JSON, for every role, with clear refusals."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import FastAPI
from sqlalchemy.orm import Session

from roofops.models.enums import JobStage, Role
from tests.factories import ApiClient, make_branch, make_crew, make_job
from tests.operations.conftest import (
    failed_sync,
    open_invoice,
    publish_schedule,
    working_every_day,
)


def test_the_snapshot_lists_crews_jobs_alerts_and_map_points(
    api: ApiClient, db: Session, today: date
) -> None:
    branch = make_branch(db)
    crew = working_every_day(make_crew(db, branch=branch))
    job = make_job(db, stage=JobStage.SCHEDULED, branch=branch, number="API-1")
    publish_schedule(db, today, [(job, crew, [today])])
    db.commit()

    response = api.as_role(Role.DISPATCHER).get(
        "/api/v1/command-center", params={"day": today.isoformat(), "branch_id": str(branch.id)}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["day"] == today.isoformat()
    (listed,) = body["crews"]
    assert (listed["crew_id"], listed["state"]) == (str(crew.id), "scheduled")
    assert listed["planned"][0]["job_number"] == "API-1"
    assert [j["number"] for j in body["jobs"]] == ["API-1"]
    assert {p["kind"] for p in body["map_points"]} == {"job", "yard"}


def test_the_day_defaults_to_the_company_s_today(api: ApiClient, today: date) -> None:
    body = api.as_role(Role.VIEWER).get("/api/v1/command-center").json()
    assert body["day"] == today.isoformat()


def test_roles_see_sync_alerts_and_overdue_amounts_by_their_permissions(
    api: ApiClient, db: Session, today: date
) -> None:
    failed_sync(db)
    open_invoice(db, make_job(db), total=90_000, paid=0, due=today - timedelta(days=4))
    db.commit()

    def kinds(role: Role) -> dict[str, dict[str, object]]:
        alerts = api.as_role(role).get("/api/v1/command-center").json()["alerts"]
        return {alert["kind"]: alert for alert in alerts}

    finance = kinds(Role.FINANCE)
    assert finance["overdue_invoice"]["amount_cents"] == 90_000
    assert "sync_failed" in finance
    dispatcher = kinds(Role.DISPATCHER)
    assert dispatcher["overdue_invoice"]["amount_cents"] is None
    assert "sync_failed" not in dispatcher


def test_bad_input_is_a_422_that_names_the_field(api: ApiClient) -> None:
    reader = api.as_role(Role.VIEWER)
    response = reader.get("/api/v1/command-center", params={"day": "yesterday"})
    assert response.status_code == 422
    assert "day" in response.text
    response = reader.get("/api/v1/command-center", params={"branch_id": "north"})
    assert response.status_code == 422
    assert "branch_id" in response.text


def test_it_needs_a_principal(api: ApiClient) -> None:
    assert api.get("/api/v1/command-center").status_code == 401


def test_the_command_center_and_the_field_share_one_crew_day_schema(app: FastAPI) -> None:
    """One schema per shape: no module-qualified twins (the crew API's CrewOut keeps its
    name), and the command center's crews are the field API's day states."""
    document = app.openapi()
    names = document["components"]["schemas"]
    crews = names["OperationsOut"]["properties"]["crews"]["items"]

    assert crews == {"$ref": "#/components/schemas/CrewDayStateOut"}
    assert {"CrewOut", "PlannedWorkOut"} <= names.keys()
    assert not [name for name in names if "operations__" in name or "field__" in name]
