"""Teams, handoffs and crew loans through the API."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from roofops.company.service import company_service
from roofops.models.enums import Role
from roofops.models.team import TeamFunction
from roofops.team.checklists import SALES_TO_PRODUCTION
from tests.factories import ApiClient, make_branch, make_crew
from tests.team.builders import job_owned_by, make_team


def test_teams_are_created_and_edited_by_admins_only(api: ApiClient, db: Session) -> None:
    admin = api.as_role(Role.ADMIN)
    office = api.as_role(Role.OFFICE)
    body = {"name": "Sales North", "function": "sales", "member_ids": [str(office.user.id)]}
    assert office.post("/api/v1/teams", json=body).status_code == 403
    created = admin.post("/api/v1/teams", json=body)
    assert created.status_code == 201, created.text
    team = created.json()
    assert [member["email"] for member in team["members"]] == [office.user.email]
    assert admin.post("/api/v1/teams", json={**body, "name": "sales north"}).status_code == 409
    both = [str(office.user.id), str(admin.user.id)]
    kept = admin.patch(f"/api/v1/teams/{team['id']}", json={"member_ids": both})
    assert kept.status_code == 200, kept.text  # the member who stays keeps their row
    assert len(kept.json()["members"]) == 2
    patched = admin.patch(f"/api/v1/teams/{team['id']}", json={"member_ids": []})
    assert patched.json()["members"] == []
    unknown = admin.patch(
        f"/api/v1/teams/{team['id']}", json={"member_ids": ["00000000-0000-0000-0000-000000000000"]}
    )
    assert unknown.status_code == 422
    nowhere = {**body, "name": "Nowhere", "branch_id": "00000000-0000-0000-0000-000000000000"}
    assert admin.post("/api/v1/teams", json=nowhere).status_code == 422
    listed = api.as_role(Role.VIEWER).get("/api/v1/teams").json()
    assert [row["name"] for row in listed] == ["Sales North"]


def test_handoff_through_the_api(api: ApiClient, db: Session) -> None:
    rep_client = api.as_role(Role.OFFICE)
    manager_client = api.as_role(Role.DISPATCHER)
    assert rep_client.user is not None
    assert manager_client.user is not None
    sales = make_team(db, TeamFunction.SALES, [rep_client.user], name="Sales")
    production = make_team(db, TeamFunction.PRODUCTION, [manager_client.user], name="Production")
    job = job_owned_by(db, sales, rep_client.user)
    db.commit()
    url = f"/api/v1/jobs/{job.id}/handoffs"
    body = {"to_team_id": str(production.id), "to_owner_id": str(manager_client.user.id)}
    assert api.as_role(Role.CREW_LEAD).post(url, json=body).status_code == 403
    started = rep_client.post(url, json=body)
    assert started.status_code == 201, started.text
    handoff = started.json()
    assert len(handoff["missing"]) == sum(item.required for item in SALES_TO_PRODUCTION)
    assert rep_client.post(url, json=body).status_code == 409
    accept = f"{url}/{handoff['id']}/accept"
    refused = manager_client.post(accept)
    assert refused.status_code == 409
    assert refused.json()["error"]["details"]["missing"] == handoff["missing"]
    for code in handoff["missing"]:
        ticked = manager_client.put(f"{url}/{handoff['id']}/items/{code}", json={"done": True})
        assert ticked.status_code == 200, ticked.text
    assert (
        manager_client.put(f"{url}/{handoff['id']}/items/nope", json={"done": True}).status_code
        == 404
    )
    accepted = manager_client.post(accept)
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "accepted"
    history = api.as_role(Role.VIEWER).get(url).json()
    assert [row["status"] for row in history] == ["accepted"]
    db.refresh(job)
    assert job.owner_id == manager_client.user.id


def test_handoffs_of_an_unknown_job_are_404(api: ApiClient) -> None:
    missing = "/api/v1/jobs/00000000-0000-0000-0000-000000000000/handoffs"
    assert api.as_role(Role.VIEWER).get(missing).status_code == 404


def test_crew_loans_through_the_api(api: ApiClient, db: Session) -> None:
    crew, borrower = make_crew(db), make_branch(db)
    db.commit()
    monday = company_service.today(db) + timedelta(days=7 - company_service.today(db).weekday())
    dispatcher = api.as_role(Role.DISPATCHER)
    body = {
        "crew_id": str(crew.id),
        "to_branch_id": str(borrower.id),
        "starts_on": monday.isoformat(),
        "ends_on": (monday + timedelta(days=2)).isoformat(),
        "note": "storm work up north",
    }
    assert api.as_role(Role.OFFICE).post("/api/v1/crew-loans", json=body).status_code == 403
    created = dispatcher.post("/api/v1/crew-loans", json=body)
    assert created.status_code == 201, created.text
    clash = dispatcher.post("/api/v1/crew-loans", json={**body, "ends_on": monday.isoformat()})
    assert clash.status_code == 409
    assert "already lent" in clash.json()["error"]["message"]
    backwards = dispatcher.post("/api/v1/crew-loans", json={**body, "ends_on": "2020-12-01"})
    assert backwards.status_code == 422
    listed = api.as_role(Role.VIEWER).get(
        "/api/v1/crew-loans", params={"branch_id": str(borrower.id)}
    )
    assert [row["starts_on"] for row in listed.json()] == [monday.isoformat()]
    loan_id = created.json()["id"]
    assert dispatcher.delete(f"/api/v1/crew-loans/{loan_id}").status_code == 204
    assert api.as_role(Role.VIEWER).get("/api/v1/crew-loans").json() == []
