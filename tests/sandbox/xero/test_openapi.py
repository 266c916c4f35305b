"""The fake's answers against Xero's own OpenAPI schemas (tests/sandbox/xero/openapi)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from openapi_schema_validator import OAS30Validator, oas30_format_checker

from tests.sandbox.xero.harness import XeroHarness, add_contact, add_invoices, invoice_body

SPECS = Path(__file__).parent / "openapi"


@cache
def _spec(name: str) -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with (SPECS / name).open() as file:
        spec: dict[str, Any] = yaml.load(file, Loader=loader)
    return spec


def _validate(spec_name: str, schema_name: str, instance: Any, *, formats: bool = True) -> None:
    """Raises ValidationError naming the first field the spec does not allow."""
    spec = _spec(spec_name)
    schema = {**spec["components"]["schemas"][schema_name], "components": spec["components"]}
    checker = oas30_format_checker if formats else None
    OAS30Validator(schema, format_checker=checker).validate(instance)


def _accounting(schema_name: str, response: httpx.Response) -> None:
    assert response.status_code < 500, response.text
    _validate("xero-accounting.yaml", schema_name, response.json())


def _paid_invoice(xero: XeroHarness) -> str:
    invoice_id = add_invoices(xero, 1)[0]
    payment = {
        "Invoice": {"InvoiceID": invoice_id},
        "Account": {"Code": "090"},
        "Date": "2025-06-02",
        "Amount": 40.0,
        "Reference": "Deposit",
    }
    assert xero.api("PUT", "Payments", json=payment).status_code == 200
    return invoice_id


def test_invoices_pages_and_one_invoice_match_the_schema(xero: XeroHarness) -> None:
    invoice_id = _paid_invoice(xero)

    _accounting("Invoices", xero.api("GET", "Invoices", params={"page": 1}))
    _accounting("Invoices", xero.api("GET", "Invoices"))
    _accounting("Invoices", xero.api("GET", f"Invoices/{invoice_id}"))


def test_written_invoices_match_the_schema(xero: XeroHarness) -> None:
    contact = add_contact(xero)
    body = {"Invoices": [invoice_body(contact, "7001"), invoice_body(contact, "7002")]}

    _accounting("Invoices", xero.api("PUT", "Invoices", json=body))
    answer = xero.api("POST", "Invoices", params={"summarizeErrors": "false"}, json=body)
    _accounting("Invoices", answer)
    assert {row["StatusAttributeString"] for row in answer.json()["Invoices"]} == {"OK"}


def test_payments_contacts_and_credit_notes_match_the_schema(xero: XeroHarness) -> None:
    invoice_id = _paid_invoice(xero)
    contact = add_contact(xero, "Carrier Mutual")
    note = invoice_body(contact, "", 25.0, Type="ACCRECCREDIT")
    note.pop("InvoiceNumber")
    created = xero.api("PUT", "CreditNotes", json={"CreditNotes": [note]})
    _accounting("CreditNotes", created)
    note_id = created.json()["CreditNotes"][0]["CreditNoteID"]
    allocation = {"Amount": 10.0, "Invoice": {"InvoiceID": invoice_id}, "Date": "2025-06-02"}
    assert xero.api("PUT", f"CreditNotes/{note_id}/Allocations", json=allocation).is_success

    _accounting("Payments", xero.api("GET", "Payments", params={"page": 1}))
    _accounting("Contacts", xero.api("GET", "Contacts", params={"page": 1}))
    _accounting("CreditNotes", xero.api("GET", "CreditNotes", params={"page": 1}))
    _accounting("Invoices", xero.api("GET", f"Invoices/{invoice_id}"))


def test_organisation_and_tracking_categories_match_the_schema(xero: XeroHarness) -> None:
    xero.roofing.set_lock_dates(period=xero.clock().date(), end_of_year=xero.clock().date())

    _accounting("Organisations", xero.api("GET", "Organisation"))
    _accounting("TrackingCategories", xero.api("GET", "TrackingCategories"))


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PUT", "Invoices", {"Invoices": [{"Type": "ACCREC", "LineItems": []}]}),
        ("PUT", "Contacts", {"Contacts": [{"Name": ""}]}),
        ("PUT", "Payments", {"Invoice": {"InvoiceNumber": "nope"}, "Amount": 5}),
    ],
)
def test_validation_errors_match_the_error_schema(
    xero: XeroHarness, method: str, path: str, body: dict[str, Any]
) -> None:
    answer = xero.api(method, path, json=body)

    assert answer.status_code == 400
    _accounting("Error", answer)
    assert answer.json()["Elements"][0]["ValidationErrors"][0]["Message"]


def test_connections_match_the_identity_schema(xero: XeroHarness) -> None:
    token = xero.token(xero.roofing.tenant_id, xero.holdings.tenant_id)
    answer = httpx.get(f"{xero.url}/connections", headers={"Authorization": f"Bearer {token}"})

    assert answer.status_code == 200
    assert len(answer.json()) == 2
    # Xero's own example stamps connections without a zone ("2019-12-07T18:46:19.5165400"),
    # which RFC 3339's date-time refuses; the fake sends what Xero sends, so no format check.
    for connection in answer.json():
        _validate("xero-identity.yaml", "Connection", connection, formats=False)
