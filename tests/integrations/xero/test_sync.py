"""Job figures from the fake Xero over real HTTP, into the real database: invoices and credit
notes by job number, bills by the Job tracking category, incremental reads, voided and deleted
documents dropping out, and a manual figure kept."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from roofops.auth.principal import SYSTEM
from roofops.config import get_settings
from roofops.financials.service import financials_service
from roofops.integrations.core.runner import run_sync
from roofops.integrations.core.runs import open_run
from roofops.integrations.xero.sync_service import XeroSync
from roofops.models import (
    AccountingInvoice,
    CostLine,
    FigureSource,
    Job,
    JobFinancials,
    Provider,
    SyncKind,
    SyncRun,
    SyncRunStatus,
)
from roofops.models.financials import CostAllocation
from tests.factories import make_job
from tests.integrations.xero.conftest import client_of
from tests.sandbox.xero.harness import XeroHarness, add_contact, invoice_body

MATERIALS_CODE, LABOR_CODE = "320", "330"


def _sync(sessions: sessionmaker[Session], xero: XeroHarness, *, full: bool = False) -> SyncRun:
    with sessions.begin() as db:
        run_id = open_run(db, Provider.XERO, SyncKind.INCREMENTAL, triggered_by="test").id
    sync = XeroSync(lambda _sessions, _settings: client_of(xero))
    run_sync(sessions, get_settings(), sync, run_id=run_id, full=full)
    with sessions() as db:
        run = db.get(SyncRun, run_id)
        assert run is not None
        return run


def _figures(db: Session, number: str) -> JobFinancials:
    db.expire_all()
    job_id = db.scalar(sa.select(Job.id).where(Job.number == number))
    row = db.get(JobFinancials, job_id)
    assert row is not None
    return row


def _put(xero: XeroHarness, resource: str, body: dict[str, Any]) -> dict[str, Any]:
    response = xero.api("PUT", resource, json={resource: [body]})
    assert response.status_code == 200, response.text
    row: dict[str, Any] = response.json()[resource][0]
    return row


def _post(xero: XeroHarness, path: str, body: dict[str, Any]) -> None:
    response = xero.api("POST", path, json=body)
    assert response.status_code == 200, response.text


def _bill(contact: str, *lines: tuple[str, float, str | None]) -> dict[str, Any]:
    """An authorised bill; each line (account code, amount, Job option or None)."""
    return {
        "Type": "ACCPAY",
        "Contact": {"ContactID": contact},
        "Date": "2025-06-01",
        "DueDate": "2025-07-01",
        "InvoiceNumber": "SUP-1",
        "Status": "AUTHORISED",
        "LineAmountTypes": "NoTax",
        "LineItems": [
            {
                "Description": "roofing",
                "Quantity": 1,
                "UnitAmount": amount,
                "AccountCode": code,
                **({"Tracking": [{"Name": "Job", "Option": option}]} if option else {}),
            }
            for code, amount, option in lines
        ],
    }


def _books(xero: XeroHarness) -> dict[str, str]:
    """Two jobs' documents in the roofing organisation; their ids by name."""
    books = xero.roofing
    books.accounts.append(
        {"AccountID": "a-320", "Code": MATERIALS_CODE, "Name": "Roofing Materials"}
        | {"Type": "DIRECTCOSTS", "Status": "ACTIVE"}
    )
    books.accounts.append(
        {"AccountID": "a-330", "Code": LABOR_CODE, "Name": "Crew Labor"}
        | {"Type": "DIRECTCOSTS", "Status": "ACTIVE"}
    )
    books.add_tracking_category("Job", ["5003 Smith", "5004 Jones", "9999 Not ours"])
    customer, supplier = add_contact(xero, "Jane Smith"), add_contact(xero, "ABC Supply")
    ids = {
        "5003": _put(xero, "Invoices", invoice_body(customer, "5003", 10_000.0))["InvoiceID"],
        "5003-2": _put(xero, "Invoices", invoice_body(customer, "5003-2", 2_500.0))["InvoiceID"],
        "5004": _put(xero, "Invoices", invoice_body(customer, "5004", 8_000.0))["InvoiceID"],
    }
    bill = _bill(
        supplier,
        (MATERIALS_CODE, 3_000.0, "5003 Smith"),
        (LABOR_CODE, 1_200.0, "5003 Smith"),
        (MATERIALS_CODE, 900.0, "5004 Jones"),
        (MATERIALS_CODE, 50.0, "9999 Not ours"),
        (LABOR_CODE, 75.0, None),
    )
    ids["bill"] = _put(xero, "Invoices", bill)["InvoiceID"]
    credit = {
        "Type": "ACCRECCREDIT",
        "Contact": {"ContactID": customer},
        "Date": "2025-06-01",
        "CreditNoteNumber": "5003",
        "Status": "AUTHORISED",
        "LineAmountTypes": "NoTax",
        "LineItems": [{"Description": "goodwill", "UnitAmount": 500.0, "AccountCode": "200"}],
    }
    ids["credit"] = _put(xero, "CreditNotes", credit)["CreditNoteID"]
    return ids


def _reprice(xero: XeroHarness, invoice_id: str, amount: float) -> None:
    """Half an hour on, the invoice's one line at a new price."""
    xero.clock.advance(timedelta(minutes=30))
    line = xero.roofing.get("Invoices", invoice_id)["LineItems"][0]  # type: ignore[index]
    edited = {"LineItemID": line["LineItemID"], "Description": "Roof replacement"}
    edited |= {"Quantity": 1, "UnitAmount": amount, "AccountCode": "200"}
    _post(xero, f"Invoices/{invoice_id}", {"LineItems": [edited]})


def _jobs(db: Session) -> None:
    make_job(db, number="5003")
    make_job(db, number="5004")
    db.commit()


def test_a_full_sync_brings_invoices_credits_and_tracked_costs(
    xero: XeroHarness, session_maker: sessionmaker[Session], db: Session
) -> None:
    _jobs(db)
    _books(xero)

    run = _sync(session_maker, xero, full=True)

    assert run.status == SyncRunStatus.SUCCEEDED, run.error
    first = _figures(db, "5003")
    assert first.invoiced_cents == 10_000_00 + 2_500_00 - 500_00
    assert (first.materials_cents, first.materials_source) == (3_000_00, FigureSource.XERO)
    assert (first.labor_cents, first.labor_source) == (1_200_00, FigureSource.XERO)
    second = _figures(db, "5004")
    assert (second.invoiced_cents, second.materials_cents) == (8_000_00, 900_00)
    rows = db.execute(sa.select(CostLine.amount_cents, CostLine.allocation))
    allocations = {cents: allocation for cents, allocation in rows.all() if cents}
    assert allocations[50_00] == CostAllocation.UNALLOCATED  # tracked to no job of ours
    assert allocations[75_00] == CostAllocation.OVERHEAD  # no job tracking at all
    assert run.warnings == 1


def test_an_incremental_sync_reads_only_the_edit(
    xero: XeroHarness, session_maker: sessionmaker[Session], db: Session
) -> None:
    _jobs(db)
    ids = _books(xero)
    _sync(session_maker, xero, full=True)
    # The cursor is the newest change read, less a 5-minute overlap: the first incremental
    # read re-reads everything made in the frozen instant of the set-up, the next one not.
    _reprice(xero, ids["5004"], 8_200.0)
    assert _sync(session_maker, xero).status == SyncRunStatus.SUCCEEDED
    _reprice(xero, ids["5004"], 8_400.0)

    run = _sync(session_maker, xero)

    assert run.status == SyncRunStatus.SUCCEEDED, run.error
    assert run.fetched == 1
    assert _figures(db, "5004").invoiced_cents == 8_400_00
    assert _figures(db, "5003").invoiced_cents == 12_000_00


def test_a_voided_invoice_and_a_deleted_bill_drop_out(
    xero: XeroHarness, session_maker: sessionmaker[Session], db: Session
) -> None:
    _jobs(db)
    ids = _books(xero)
    _sync(session_maker, xero, full=True)
    xero.clock.advance(timedelta(minutes=30))
    _post(xero, f"Invoices/{ids['5003-2']}", {"Status": "VOIDED"})
    _post(xero, f"Invoices/{ids['bill']}", {"Status": "VOIDED"})

    run = _sync(session_maker, xero)

    assert run.status == SyncRunStatus.SUCCEEDED, run.error
    row = _figures(db, "5003")
    assert row.invoiced_cents == 10_000_00 - 500_00
    assert row.materials_cents == 0
    voided = db.scalar(
        sa.select(AccountingInvoice.status).where(AccountingInvoice.external_id == ids["5003-2"])
    )
    assert voided is not None
    assert voided.value == "voided"
    assert db.scalar(sa.select(sa.func.count()).select_from(CostLine)) == 0


def test_a_full_sync_drops_what_the_books_no_longer_hold(
    xero: XeroHarness, session_maker: sessionmaker[Session], db: Session
) -> None:
    _jobs(db)
    ids = _books(xero)
    _sync(session_maker, xero, full=True)
    with xero.roofing.lock:  # gone from the books without a trace (a purge)
        del xero.roofing._rows["Invoices"][ids["5004"].lower()]

    run = _sync(session_maker, xero, full=True)

    assert run.status == SyncRunStatus.SUCCEEDED, run.error
    assert _figures(db, "5004").invoiced_cents == 0


def test_a_manual_figure_is_kept(
    xero: XeroHarness, session_maker: sessionmaker[Session], db: Session
) -> None:
    _jobs(db)
    _books(xero)
    _sync(session_maker, xero, full=True)
    job_id = _figures(db, "5003").job_id
    financials_service.set_manual(
        db, SYSTEM, job_id, figure="materials", cents=4_242_00, reason="supplier credit pending"
    )
    db.commit()

    _sync(session_maker, xero, full=True)

    row = _figures(db, "5003")
    assert (row.materials_cents, row.materials_source) == (4_242_00, FigureSource.MANUAL)
    assert row.materials_synced_cents == 3_000_00
