"""Branches, skills and crews through the API."""

from __future__ import annotations

from sqlalchemy.orm import Session

from roofops.audit.service import audit_service
from roofops.crew.service import branch_service
from roofops.models import Role
from tests.factories import ApiClient, make_branch, make_crew, make_skill


def test_branches_create_conflict_patch_and_list(api: ApiClient, db: Session) -> None:
    dispatcher = api.as_role(Role.DISPATCHER)
    created = dispatcher.post("/api/v1/branches", json={"code": "nth", "name": "North"})
    assert created.status_code == 201
    assert created.json()["code"] == "NTH"
    assert (
        dispatcher.post("/api/v1/branches", json={"code": "NTH", "name": "Dup"}).status_code == 409
    )
    branch_id = created.json()["id"]
    patched = dispatcher.patch(f"/api/v1/branches/{branch_id}", json={"is_active": False})
    assert patched.json()["is_active"] is False
    inactive = dispatcher.get("/api/v1/branches", params={"active": "false"}).json()["items"]
    assert [b["code"] for b in inactive] == ["NTH"]
    assert "NTH" not in [b.code for b in branch_service.list(db, active=True)]
    viewer = api.as_role(Role.VIEWER)
    assert viewer.post("/api/v1/branches", json={"code": "X", "name": "X"}).status_code == 403


def test_skills(api: ApiClient) -> None:
    office = api.as_role(Role.OFFICE)
    assert office.post("/api/v1/skills", json={"code": "Metal", "name": "Metal"}).status_code == 201
    assert office.post("/api/v1/skills", json={"code": "metal", "name": "Again"}).status_code == 409
    bad = office.post("/api/v1/skills", json={"code": "has space", "name": "x"})
    assert bad.status_code == 422
    assert [f["field"] for f in bad.json()["error"]["fields"]] == ["code"]
    found = office.get("/api/v1/skills", params={"q": "meta"}).json()["items"]
    assert [s["code"] for s in found] == ["metal"]


def test_create_crew_with_skills_and_members(api: ApiClient, db: Session) -> None:
    branch = make_branch(db)
    make_skill(db, code="tile")
    db.commit()
    dispatcher = api.as_role(Role.DISPATCHER)
    body = {
        "name": "Tile Team",
        "branch_id": str(branch.id),
        "capacity_squares_per_day": 15,
        "skills": ["tile", "tile"],
        "members": [{"name": "Bo", "role": "lead"}, {"name": "Al"}],
    }
    response = dispatcher.post("/api/v1/crews", json=body)
    assert response.status_code == 201, response.text
    crew = response.json()
    assert [s["code"] for s in crew["skills"]] == ["tile"]
    assert [m["name"] for m in crew["members"]] == ["Al", "Bo"]
    assert crew["branch"]["code"] == branch.code
    assert dispatcher.post("/api/v1/crews", json={**body, "name": "tile team"}).status_code == 409
    unknown = dispatcher.post("/api/v1/crews", json={**body, "name": "B", "skills": ["laser"]})
    assert unknown.status_code == 422
    assert "laser" in unknown.json()["error"]["message"]
    zero = dispatcher.post(
        "/api/v1/crews", json={**body, "name": "C", "capacity_squares_per_day": 0}
    )
    assert zero.status_code == 422


def test_crew_filters(api: ApiClient, db: Session) -> None:
    branch = make_branch(db)
    metal = make_skill(db)
    make_crew(db, branch=branch, skills=[metal])
    idle = make_crew(db, branch=branch)
    idle.is_active = False
    make_crew(db)
    db.commit()
    viewer = api.as_role(Role.VIEWER)
    in_branch = viewer.get("/api/v1/crews", params={"branch_id": str(branch.id)}).json()
    assert in_branch["total"] == 2
    skilled = viewer.get("/api/v1/crews", params={"skill": metal.code}).json()["items"]
    assert [c["skills"][0]["code"] for c in skilled] == [metal.code]
    params = {"branch_id": str(branch.id), "active": "false"}
    assert [c["id"] for c in viewer.get("/api/v1/crews", params=params).json()["items"]] == [
        str(idle.id)
    ]


def test_patch_crew_replaces_lists_and_audits(api: ApiClient, db: Session) -> None:
    metal = make_skill(db)
    crew = make_crew(db)
    db.commit()
    dispatcher = api.as_role(Role.DISPATCHER)
    response = dispatcher.patch(
        f"/api/v1/crews/{crew.id}",
        json={"skills": [metal.code], "members": [{"name": "Cy"}], "capacity_squares_per_day": 30},
    )
    assert response.status_code == 200, response.text
    assert [m["name"] for m in response.json()["members"]] == ["Cy"]
    [row] = audit_service.history(db, "crew", crew.id)
    assert row.changes["skills"] == {"old": [], "new": [metal.code]}
    assert row.changes["members"] == {"old": [], "new": ["Cy (roofer)"]}
    assert row.changes["capacity_squares_per_day"] == {"old": 20, "new": 30}
    missing = dispatcher.patch(
        f"/api/v1/crews/{crew.id}", json={"branch_id": "00000000-0000-0000-0000-000000000000"}
    )
    assert missing.status_code == 422
