"""The customers and properties API."""

from __future__ import annotations

from sqlalchemy.orm import Session

from roofops.audit.service import audit_service
from roofops.models import Role
from tests.factories import ApiClient, make_customer, make_property

ADDRESS = {"address_line1": "12 Elm St", "city": "Boulder", "state": "CO", "postal_code": "80302"}


def test_create_with_properties_and_derived_display_name(api: ApiClient) -> None:
    body = {
        "first_name": "Ann",
        "last_name": "Lee",
        "email": " Ann@Example.COM ",
        "properties": [ADDRESS],
    }
    response = api.as_role(Role.OFFICE).post("/api/v1/customers", json=body)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["display_name"] == "Ann Lee"
    assert created["email"] == "ann@example.com"
    assert created["properties"][0]["one_line"] == "12 Elm St, Boulder, CO 80302"


def test_validation_and_roles(api: ApiClient) -> None:
    office = api.as_role(Role.OFFICE)
    bad = office.post(
        "/api/v1/customers",
        json={"display_name": "X", "email": "nope", "properties": [{**ADDRESS, "latitude": 91}]},
    )
    assert bad.status_code == 422
    fields = {item["field"] for item in bad.json()["error"]["fields"]}
    assert fields == {"email", "properties.0.latitude"}
    nameless = office.post("/api/v1/customers", json={"phone": "555"})
    assert nameless.status_code == 422
    dispatcher = api.as_role(Role.DISPATCHER)
    assert dispatcher.post("/api/v1/customers", json={"display_name": "X"}).status_code == 403


def test_duplicate_email_is_a_conflict(api: ApiClient, db: Session) -> None:
    existing = make_customer(db)
    db.commit()
    response = api.as_role(Role.OFFICE).post(
        "/api/v1/customers", json={"display_name": "Other", "email": existing.email.upper()}
    )
    assert response.status_code == 409


def test_search_by_name_email_phone_and_paging(api: ApiClient, db: Session) -> None:
    make_customer(db, name="Quincy Roofless").phone = "303-555-0199"
    make_customer(db, name="Someone Else")
    db.commit()
    viewer = api.as_role(Role.VIEWER)
    for q in ("quincy", "0199"):
        items = viewer.get("/api/v1/customers", params={"q": q}).json()["items"]
        assert [c["display_name"] for c in items] == ["Quincy Roofless"]
    page = viewer.get("/api/v1/customers", params={"size": 1, "sort": "-display_name"}).json()
    assert page["size"] == 1
    assert page["total"] >= 2
    assert len(page["items"]) == 1
    assert viewer.get("/api/v1/customers", params={"size": 500}).status_code == 422


def test_patch_customer_and_property_are_audited(api: ApiClient, db: Session) -> None:
    prop = make_property(db)
    db.commit()
    office = api.as_role(Role.OFFICE)
    response = office.patch(f"/api/v1/customers/{prop.customer_id}", json={"phone": "720-555-0100"})
    assert response.status_code == 200
    assert response.json()["properties"][0]["id"] == str(prop.id)
    [row] = audit_service.history(db, "customer", prop.customer_id)
    assert row.changes["phone"] == {"old": "", "new": "720-555-0100"}
    moved = office.patch(
        f"/api/v1/properties/{prop.id}", json={"latitude": 40.0, "longitude": None}
    )
    assert moved.status_code == 200
    assert (moved.json()["latitude"], moved.json()["longitude"]) == (40.0, None)
    assert office.patch(f"/api/v1/properties/{prop.id}", json={"longitude": 181}).status_code == 422


def test_add_and_get_property(api: ApiClient, db: Session) -> None:
    customer = make_customer(db)
    db.commit()
    office = api.as_role(Role.OFFICE)
    created = office.post(f"/api/v1/customers/{customer.id}/properties", json=ADDRESS)
    assert created.status_code == 201
    fetched = office.get(f"/api/v1/properties/{created.json()['id']}")
    assert fetched.json()["customer_id"] == str(customer.id)
    missing = "00000000-0000-0000-0000-000000000000"
    assert office.post(f"/api/v1/customers/{missing}/properties", json=ADDRESS).status_code == 404
