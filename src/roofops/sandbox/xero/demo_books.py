"""The demo company's books as a Xero organisation: the same documents the sandbox QuickBooks
holds (built from the demo company by ``sandbox.quickbooks.books``), written the Xero way.

Each job's invoices become ACCREC invoices numbered as the job (``1002``, ``1002-2``) with their
payments; its bills and card purchases become ACCPAY bills whose lines are tracked to the job's
option in the ``Job`` tracking category (``1002 Susan Cooper``), coded to cost accounts named as
QuickBooks names them (Materials, Labor, ...), so a sync gives the same figures.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from roofops.sandbox.demo_company import DemoCompany
from roofops.sandbox.quickbooks.books import FakeCompany, JobLedger, build_books
from roofops.sandbox.quickbooks.store import Books as QuickBooksBooks
from roofops.sandbox.xero.documents import INVOICE, create
from roofops.sandbox.xero.payments import create_payment
from roofops.sandbox.xero.store import Books, Entity

JOB_CATEGORY = "Job"
SALES, BANK = "200", "090"
COST_TYPES = {"Cost of Goods Sold": "DIRECTCOSTS", "Expense": "EXPENSE"}


def fill_books(books: Books, company: DemoCompany) -> None:
    """Write the demo company's documents into ``books`` (the fake's clock stamps them)."""
    quickbooks = build_books(company.data())
    codes = _accounts(books, quickbooks.books)
    options = {
        number: _option(quickbooks.books, ledger) for number, ledger in quickbooks.jobs.items()
    }
    books.add_tracking_category(JOB_CATEGORY, sorted(options.values()))
    for number, ledger in quickbooks.jobs.items():
        _invoices(books, quickbooks, ledger)
        _costs(books, quickbooks, ledger, codes, options[number])


def _accounts(books: Books, source: QuickBooksBooks) -> dict[str, str]:
    """A Xero cost account per QuickBooks one; QuickBooks account id -> Xero code."""
    codes: dict[str, str] = {}
    for number, account in enumerate(source.rows("Account"), start=500):
        kind = COST_TYPES.get(str(account.get("AccountType")))
        if kind is None:
            continue
        code = str(number)
        books.accounts.append(
            {"AccountID": f"demo-{code}", "Code": code, "Name": account["Name"], "Type": kind}
            | {"Status": "ACTIVE"}
        )
        codes[str(account["Id"])] = code
    return codes


def _option(source: QuickBooksBooks, ledger: JobLedger) -> str:
    project = source.get("Customer", ledger.project_id) or {}
    name = str(project.get("DisplayName") or ledger.number)
    return name.split(" - ", maxsplit=1)[0][:100]


def _invoices(books: Books, company: FakeCompany, ledger: JobLedger) -> None:
    source = company.books
    for invoice_id in ledger.invoices:
        invoice = source.get("Invoice", invoice_id)
        if invoice is None or source.is_voided(invoice_id):
            continue
        total, balance = Decimal(str(invoice["TotalAmt"])), Decimal(str(invoice["Balance"]))
        body = {
            "Type": "ACCREC",
            "Contact": {"Name": str(invoice["CustomerRef"].get("name") or ledger.number)},
            "InvoiceNumber": invoice["DocNumber"],
            "Date": invoice["TxnDate"],
            "DueDate": invoice.get("DueDate") or invoice["TxnDate"],
            "Status": "AUTHORISED",
            "LineAmountTypes": "NoTax",
            "LineItems": [_line("Roofing work", total, SALES)],
        }
        row = create(books, INVOICE, body)
        if total - balance > 0:
            payment = {"Invoice": {"InvoiceID": row["InvoiceID"]}, "Account": {"Code": BANK}}
            create_payment(books, payment | {"Date": invoice["TxnDate"], "Amount": total - balance})


def _costs(
    books: Books, company: FakeCompany, ledger: JobLedger, codes: dict[str, str], option: str
) -> None:
    source = company.books
    items = {
        row["Id"]: row.get("ExpenseAccountRef", {}).get("value") for row in source.rows("Item")
    }
    for entity, ids in (("Bill", ledger.bills), ("Purchase", ledger.purchases)):
        for txn_id in ids:
            txn = source.get(entity, txn_id)
            if txn is None or txn.get("Credit"):
                continue
            lines = [
                _line(str(line.get("Description") or entity), Decimal(str(line["Amount"])), code)
                | {"Tracking": [{"Name": JOB_CATEGORY, "Option": option}]}
                for line in txn.get("Line", [])
                if (code := codes.get(_account_of(line, items) or "")) is not None
            ]
            if lines:
                create(books, INVOICE, _bill(txn, entity, lines))


def _bill(txn: Entity, entity: str, lines: list[Entity]) -> Entity:
    vendor = (txn.get("VendorRef") or txn.get("EntityRef") or {}).get("name") or "Supplier"
    return {
        "Type": "ACCPAY",
        "Contact": {"Name": str(vendor)},
        "InvoiceNumber": str(txn.get("DocNumber") or f"{entity}-{txn['Id']}"),
        "Date": txn["TxnDate"],
        "DueDate": txn.get("DueDate") or txn["TxnDate"],
        "Status": "AUTHORISED",
        "LineAmountTypes": "NoTax",
        "LineItems": lines,
    }


def _account_of(line: Entity, items: dict[str, Any]) -> str | None:
    detail = line.get("AccountBasedExpenseLineDetail")
    if detail is not None:
        return str(detail["AccountRef"]["value"])
    item = line.get("ItemBasedExpenseLineDetail")
    if item is not None:
        found = items.get(item["ItemRef"]["value"])
        return str(found) if found else None
    return None


def _line(description: str, amount: Decimal, code: str) -> Entity:
    return {
        "Description": description[:4000],
        "Quantity": 1,
        "UnitAmount": str(amount),
        "AccountCode": code,
    }
