"""Company settings and the price list through the API."""

from __future__ import annotations

from sqlalchemy.orm import Session

from roofops.audit.service import audit_service
from roofops.models import JobType, Material, PriceListEntry, Role
from tests.factories import ApiClient


def test_get_creates_the_default_company(api: ApiClient) -> None:
    response = api.as_role(Role.VIEWER).get("/api/v1/company")
    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["time_zone"], body["currency"]) == (
        "My Roofing Company",
        "America/Denver",
        "USD",
    )


def test_patch_validates_time_zone_and_currency(api: ApiClient, db: Session) -> None:
    admin = api.as_role(Role.ADMIN)
    bad = admin.patch("/api/v1/company", json={"time_zone": "Mars/Olympus", "currency": "XYZ"})
    assert bad.status_code == 422
    assert {f["field"] for f in bad.json()["error"]["fields"]} == {"time_zone", "currency"}
    assert admin.patch("/api/v1/company", json={"name": None}).status_code == 422
    good = admin.patch(
        "/api/v1/company",
        json={"name": "Peak Roofing", "time_zone": "America/Chicago", "currency": "cad"},
    )
    assert good.status_code == 200
    assert good.json()["currency"] == "CAD"
    [row] = audit_service.history(db, "company", "company")
    assert row.changes["time_zone"] == {"old": "America/Denver", "new": "America/Chicago"}


def test_only_admins_edit_the_company(api: ApiClient) -> None:
    office = api.as_role(Role.OFFICE)
    assert office.patch("/api/v1/company", json={"name": "Mine"}).status_code == 403
    assert office.put("/api/v1/company/price-list", json={"entries": []}).status_code == 403


def test_price_list_round_trip_in_cents(api: ApiClient, db: Session) -> None:
    admin = api.as_role(Role.ADMIN)
    entries = [
        {"job_type": "reroof", "material": "metal", "price_per_square": "1125.50"},
        {"job_type": "repair", "material": "asphalt_shingle", "price_per_square": 300},
    ]
    response = admin.put("/api/v1/company/price-list", json={"entries": entries})
    assert response.status_code == 200, response.text
    stored = {
        (e.job_type, e.material): e.price_per_square_cents for e in db.query(PriceListEntry).all()
    }
    assert stored == {
        (JobType.REROOF, Material.METAL): 112_550,
        (JobType.REPAIR, Material.ASPHALT_SHINGLE): 30_000,
    }
    listed = admin.get("/api/v1/company/price-list").json()["entries"]
    prices = {(e["job_type"], e["material"]): e["price_per_square"] for e in listed}
    assert prices == {("reroof", "metal"): "1125.50", ("repair", "asphalt_shingle"): "300.00"}
    replaced = admin.put("/api/v1/company/price-list", json={"entries": entries[:1]})
    assert len(replaced.json()["entries"]) == 1


def test_price_list_refuses_duplicates_and_fractions_of_cents(api: ApiClient) -> None:
    admin = api.as_role(Role.ADMIN)
    entry = {"job_type": "reroof", "material": "metal", "price_per_square": "10"}
    duplicate = admin.put("/api/v1/company/price-list", json={"entries": [entry, entry]})
    assert duplicate.status_code == 422
    assert "more than once" in duplicate.json()["error"]["message"]
    fraction = {**entry, "price_per_square": "10.001"}
    assert admin.put("/api/v1/company/price-list", json={"entries": [fraction]}).status_code == 422
