"""Xero documents -> job allocation and cost categories. Pure: no database, no HTTP.

What counts, as QuickBooks' sync counts it (see docs/accounting-xero.md):

- **Receivables**: ACCREC invoices find their job by ``InvoiceNumber`` (``5003``, ``5003-2``:
  the job number, as QuickBooks' ``DocNumber``), else by a ``Reference`` that is one. ACCREC
  credit notes (ACCRECCREDIT) take away from the job they name by number, or from the job of
  the first invoice they are allocated to.
- **Costs**: the lines of ACCPAY bills, and of ACCPAY credit notes (negative). A line costs the
  job whose number starts the option it is tracked to in the job tracking category ("Job":
  option "5003 Smith"). A line with no job tracking is company overhead; one tracked to an
  option that is no job is unallocated, kept and reported. Its category comes from its
  account's mapping (by account code), an unmapped account's from its name.
- Only AUTHORISED and PAID documents count: DRAFT and SUBMITTED are not in the books yet, and
  DELETED ones are gone. VOIDED invoices are kept, as voided (they count nowhere).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from roofops.integrations.quickbooks.ledger import CATEGORY_HINTS
from roofops.integrations.xero.schemas import Account, CreditNote, Invoice, LineItem
from roofops.kit.money import to_cents
from roofops.models.enums import AccountingDocStatus, CostCategory

DEFAULT_NUMBER_PATTERN = r"^(?P<job>\d+)(?:-\d+)?$"
_OPTION_NUMBER = re.compile(r"^\s*(?P<job>\d+)\b")
RECEIVABLE, RECEIVABLE_CREDIT = "ACCREC", "ACCRECCREDIT"
# A customer's payment of a sales invoice; supplier payments (ACCPAYPAYMENT) are no job's income.
CUSTOMER_PAYMENT = "ACCRECPAYMENT"
DELETED = "DELETED"
PAYABLE, PAYABLE_CREDIT = "ACCPAY", "ACCPAYCREDIT"
IN_THE_BOOKS = frozenset({"AUTHORISED", "PAID"})
VOIDED = "VOIDED"
COST_ACCOUNT_TYPES = frozenset({"DIRECTCOSTS", "EXPENSE", "OVERHEADS"})


@dataclass(frozen=True)
class ReceivableRow:
    external_id: str
    job_number: str | None
    number: str
    contact_id: str
    txn_date: date | None
    total_cents: int
    balance_cents: int
    status: AccountingDocStatus
    due_date: date | None = None


@dataclass(frozen=True)
class CostRow:
    txn_type: str
    txn_id: str
    line_id: str
    tracked_to: str  # the job tracking option the line names, or ""
    account_code: str
    amount_cents: int
    txn_date: date | None
    vendor_name: str
    description: str

    @property
    def job_number(self) -> str | None:
        return job_number_in(self.tracked_to)


def job_number_in(name: str) -> str | None:
    match = _OPTION_NUMBER.match(name)
    return match["job"] if match else None


def counts(document: Invoice | CreditNote) -> bool:
    """In the books (a voided receivable is kept too, as voided)."""
    voided_receivable = document.status == VOIDED and document.type.startswith(RECEIVABLE)
    return document.status in IN_THE_BOOKS or voided_receivable


def invoice_row(invoice: Invoice, pattern: re.Pattern[str]) -> ReceivableRow:
    return ReceivableRow(
        external_id=invoice.invoice_id,
        job_number=_number_of(pattern, invoice.invoice_number, invoice.reference),
        number=invoice.invoice_number[:40],
        contact_id=invoice.contact.contact_id,
        txn_date=invoice.date,
        total_cents=to_cents(invoice.total),
        balance_cents=to_cents(invoice.amount_due),
        status=_status(invoice.status, invoice.amount_due),
        due_date=invoice.due_date,
    )


def credit_row(note: CreditNote, pattern: re.Pattern[str]) -> ReceivableRow:
    """A customer credit: a negative invoice; what is not yet allocated is a negative balance."""
    allocated = [a.invoice.invoice_number for a in note.allocations]
    return ReceivableRow(
        external_id=note.credit_note_id,
        job_number=_number_of(pattern, note.credit_note_number, note.reference, *allocated),
        number=note.credit_note_number[:40],
        contact_id=note.contact.contact_id,
        txn_date=note.date,
        total_cents=-to_cents(note.total),
        balance_cents=-to_cents(note.remaining_credit),
        status=_status(note.status, note.remaining_credit),
    )


def _number_of(pattern: re.Pattern[str], *candidates: str) -> str | None:
    for candidate in candidates:
        match = pattern.match((candidate or "").strip())
        if match:
            return match["job"]
    return None


def _status(status: str, outstanding: Decimal) -> AccountingDocStatus:
    if status == VOIDED:
        return AccountingDocStatus.VOIDED
    return AccountingDocStatus.PAID if outstanding == 0 else AccountingDocStatus.OPEN


def cost_rows(document: Invoice | CreditNote, job_category: str) -> list[CostRow]:
    """The coded lines of a bill (or, negative, of a supplier credit note), tax excluded."""
    sign = -1 if document.type == PAYABLE_CREDIT else 1
    txn_id = document.record_id
    rows = []
    for number, line in enumerate(document.line_items, start=1):
        if not line.account_code:
            continue
        rows.append(
            CostRow(
                txn_type=document.type,
                txn_id=txn_id,
                line_id=_line_id(line, number),
                tracked_to=_tracked_to(line, job_category),
                account_code=line.account_code,
                amount_cents=sign * to_cents(_net(line, document.line_amount_types)),
                txn_date=document.date,
                vendor_name=document.contact.name[:200],
                description=line.description[:2000],
            )
        )
    return rows


def _line_id(line: LineItem, number: int) -> str:
    """A LineItemID is a UUID; its 32 hex digits fit the cost line's key."""
    return (line.line_item_id or str(number)).replace("-", "")[:32]


def _net(line: LineItem, amount_types: str) -> Decimal:
    """A job's cost is without the (recoverable) sales tax."""
    return line.line_amount - line.tax_amount if amount_types == "Inclusive" else line.line_amount


def _tracked_to(line: LineItem, job_category: str) -> str:
    wanted = job_category.casefold()
    return next((t.option for t in line.tracking if t.name.casefold() == wanted), "")


def cost_account(account: Account) -> bool:
    return account.type in COST_ACCOUNT_TYPES and bool(account.code)


def guess_category(name: str) -> CostCategory:
    folded = name.casefold()
    return next(
        (category for hint, category in CATEGORY_HINTS if hint in folded), CostCategory.OTHER
    )
