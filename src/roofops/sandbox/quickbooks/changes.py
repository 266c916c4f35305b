"""An incremental change set: edit the documents of K jobs as an office would in a day.

Each chosen job gets one change, the kinds taken in turn: a change-order invoice, an extra
materials bill, an invoice edit, a payment, a deleted expense, a voided invoice. Every change
bumps SyncToken and LastUpdatedTime (deletes leave a CDC tombstone), so an incremental sync must
pick up exactly these jobs.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

from roofops.demo.clock import local_day
from roofops.kit.money import from_cents
from roofops.sandbox.quickbooks.books import FakeCompany, JobLedger
from roofops.sandbox.quickbooks.ledger import ref
from roofops.sandbox.quickbooks.store import Books, Entity

Change = Callable[[FakeCompany, JobLedger, random.Random, datetime], None]


def change_jobs(
    company: FakeCompany, count: int, *, seed: int = 0, at: datetime | None = None
) -> list[str]:
    """Change ``count`` jobs (chosen deterministically from ``seed``); their job numbers."""
    rng = random.Random(f"roofops-qbo-changes:{company.seed}:{seed}")  # noqa: S311 (demo data)
    numbers = rng.sample(sorted(company.jobs), min(count, len(company.jobs)))
    moment = at or company.books.clock()
    for index, number in enumerate(numbers):
        CHANGES[index % len(CHANGES)](company, company.jobs[number], rng, moment)
    return numbers


def _project(company: FakeCompany, ledger: JobLedger) -> Entity:
    project = company.books.get("Customer", ledger.project_id) or {}
    return ref(ledger.project_id, project.get("DisplayName"))


def _class_ref(books: Books, ledger: JobLedger) -> Entity | None:
    """The branch class of the job's first document that has one."""
    for entity, ids in (("Invoice", ledger.invoices), ("Bill", ledger.bills)):
        for doc_id in ids:
            for line in (books.get(entity, doc_id) or {}).get("Line", []):
                for detail in line.values():
                    if isinstance(detail, dict) and "ClassRef" in detail:
                        return dict(detail["ClassRef"])
    return None


def add_change_order(
    company: FakeCompany, ledger: JobLedger, rng: random.Random, at: datetime
) -> None:
    books, setup = company.books, company.setup
    amount = from_cents(rng.randint(300_00, 2_500_00))
    item = "Insurance Supplement"
    line: Entity = {
        "Amount": amount,
        "DetailType": "SalesItemLineDetail",
        "Description": "Change order: additional decking and flashing",
        "SalesItemLineDetail": {"ItemRef": ref(setup.items[item], item), "Qty": Decimal(1)},
    }
    day = local_day(at)
    body = {
        "DocNumber": f"{ledger.number}-{len(ledger.invoices) + 1}",
        "TxnDate": day.isoformat(),
        "DueDate": (day + timedelta(days=30)).isoformat(),
        "CustomerRef": _project(company, ledger),
        "Line": [{"Id": "1", "LineNum": 1, **line}],
        "PrivateNote": f"roofops job {ledger.number}",
    }
    ledger.invoices.append(books.add("Invoice", body, at=at)["Id"])


def add_materials_bill(
    company: FakeCompany, ledger: JobLedger, rng: random.Random, at: datetime
) -> None:
    books, setup = company.books, company.setup
    detail: Entity = {
        "AccountRef": setup.account("Materials"),
        "CustomerRef": _project(company, ledger),
        "BillableStatus": "NotBillable",
    }
    class_ref = _class_ref(books, ledger)
    if class_ref:
        detail["ClassRef"] = class_ref
    line = {
        "Id": "1",
        "Amount": from_cents(rng.randint(150_00, 1_800_00)),
        "DetailType": "AccountBasedExpenseLineDetail",
        "Description": "Additional materials",
        "AccountBasedExpenseLineDetail": detail,
    }
    vendor = "ABC Supply Co."
    body = {
        "VendorRef": ref(setup.vendors[vendor], vendor),
        "TxnDate": local_day(at).isoformat(),
        "DocNumber": str(rng.randint(100000, 999999)),
        "Line": [line],
    }
    ledger.bills.append(books.add("Bill", body, at=at)["Id"])


def edit_invoice(company: FakeCompany, ledger: JobLedger, rng: random.Random, at: datetime) -> None:
    """Raise an open invoice by 2-8 %; a settled or voided one only gets a note."""
    books = company.books
    if not ledger.invoices:
        add_change_order(company, ledger, rng, at)
        return
    invoice = books.get("Invoice", ledger.invoices[-1]) or {}
    fields: Entity = {"PrivateNote": f"{invoice.get('PrivateNote', '')} (revised)".strip()}
    if invoice.get("Balance", 0) == invoice.get("TotalAmt", 0) != 0:
        factor = Decimal(str(1 + rng.uniform(0.02, 0.08)))
        fields["Line"] = [_scaled(line, factor) for line in invoice.get("Line", [])]
    books.replace("Invoice", invoice["Id"], fields, at=at)


def _scaled(line: Entity, factor: Decimal) -> Entity:
    amount = (line["Amount"] * factor).quantize(Decimal("0.01"))
    detail = {**line.get("SalesItemLineDetail", {}), "UnitPrice": amount}
    return {**line, "Amount": amount, "SalesItemLineDetail": detail}


def record_payment(
    company: FakeCompany, ledger: JobLedger, rng: random.Random, at: datetime
) -> None:
    books = company.books
    open_ids = [i for i in ledger.invoices if (books.get("Invoice", i) or {}).get("Balance", 0) > 0]
    if not open_ids:
        add_materials_bill(company, ledger, rng, at)
        return
    invoice = books.get("Invoice", open_ids[0]) or {}
    body = {
        "CustomerRef": _project(company, ledger),
        "TxnDate": local_day(at).isoformat(),
        "TotalAmt": invoice["Balance"],
        "PaymentRefNum": str(rng.randint(1000, 99999)),
        "Line": [
            {
                "Amount": invoice["Balance"],
                "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}],
            }
        ],
    }
    ledger.payments.append(books.add("Payment", body, at=at)["Id"])


def delete_expense(
    company: FakeCompany, ledger: JobLedger, rng: random.Random, at: datetime
) -> None:
    if not ledger.purchases:
        add_materials_bill(company, ledger, rng, at)
        return
    company.books.delete("Purchase", ledger.purchases.pop(), at=at)


def void_invoice(company: FakeCompany, ledger: JobLedger, rng: random.Random, at: datetime) -> None:
    books = company.books
    unpaid = [
        invoice_id
        for invoice_id in ledger.invoices
        if not (books.get("Invoice", invoice_id) or {}).get("LinkedTxn")
        and not books.is_voided(invoice_id)
    ]
    if not unpaid:
        edit_invoice(company, ledger, rng, at)
        return
    books.void_invoice(unpaid[-1], at=at)


CHANGES: tuple[Change, ...] = (
    add_change_order,
    add_materials_bill,
    edit_invoice,
    record_payment,
    delete_expense,
    void_invoice,
)
