"""The demo's sandbox Xero: the demo company's books, served as a Xero organisation, and a
connection's refresh token still good after the sandbox restarts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from fastapi.testclient import TestClient

from roofops.sandbox.demo_company import DemoCompany
from roofops.sandbox.quickbooks.books import build_books
from roofops.sandbox.xero.fake import API_PREFIX, TENANT_HEADER
from roofops.sandbox.xero.sandbox import SANDBOX_TENANT_ID, sandbox_app

COMPANY = DemoCompany(0.02, 5, date(2026, 11, 1))
APP = {"client_id": "demo-app", "client_secret": "demo-secret"}


def test_the_books_hold_each_jobs_invoices_and_tracked_bills() -> None:
    quickbooks = build_books(COMPANY.data())
    number, ledger = next((n, j) for n, j in quickbooks.jobs.items() if j.invoices and j.bills)
    fake = TestClient(sandbox_app(COMPANY, {**APP, "refresh_token": "kept-from-before"}))

    tokens = fake.post(
        "/connect/token",
        data={"grant_type": "refresh_token", "refresh_token": "kept-from-before", **APP},
    )
    assert tokens.status_code == 200, tokens.text  # adopted across the restart
    headers = {
        "Authorization": f"Bearer {tokens.json()['access_token']}",
        TENANT_HEADER: SANDBOX_TENANT_ID,
        "Accept": "application/json",
    }
    invoices = fake.get(
        f"{API_PREFIX}Invoices", params={"page": 1, "pageSize": 1000}, headers=headers
    ).json()
    rows = invoices["Invoices"]
    numbered = [r for r in rows if r["Type"] == "ACCREC" and r["InvoiceNumber"].startswith(number)]
    expected = sum(
        Decimal(str(quickbooks.books.get("Invoice", i)["TotalAmt"]))  # type: ignore[index]
        for i in ledger.invoices
        if not quickbooks.books.is_voided(i)
    )
    assert sum(Decimal(str(r["Total"])) for r in numbered) == expected
    bills = [r for r in rows if r["Type"] == "ACCPAY"]
    options = {t["Option"] for r in bills for line in r["LineItems"] for t in line["Tracking"]}
    assert any(option.startswith(f"{number} ") for option in options)
