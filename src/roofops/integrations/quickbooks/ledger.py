"""QuickBooks documents -> job allocation and cost categories. Pure: no database, no HTTP.

How a document finds its job:
- an invoice by its ``DocNumber`` (``1042`` or ``1042-2`` for a job's second invoice; the pattern
  is configurable), else by its customer when that customer is the job's project;
- an expense line (bill, expense, check, card charge) by its line-level ``CustomerRef`` when that
  is a job's project (a sub-customer whose name starts with the job number), else by its
  ``ClassRef`` when the company tracks jobs as classes ("1042 Smith"). Lines with neither are
  company overhead (rent, fuel) and belong to no job; a line that names a customer or class that
  is none of our jobs is unallocated, kept and reported with the reason.

How a cost line finds its category: the expense account's mapping (editable by finance), an item
line through its item's expense account. Unmapped accounts get a category from their name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from roofops.integrations.quickbooks.schemas import (
    Account,
    Bill,
    Customer,
    Invoice,
    Line,
    Payment,
    Purchase,
)
from roofops.kit.money import from_cents, to_cents
from roofops.models.enums import AccountingDocStatus, CostCategory

DEFAULT_DOC_NUMBER_PATTERN = r"^(?P<job>\d+)(?:-\d+)?$"
_PROJECT_NUMBER = re.compile(r"^\s*(?P<job>\d+)\b")
# Name fragments of expense accounts -> category, for accounts nobody mapped yet.
CATEGORY_HINTS: tuple[tuple[str, CostCategory], ...] = (
    ("subcontract", CostCategory.SUBCONTRACTOR),
    ("material", CostCategory.MATERIALS),
    ("suppl", CostCategory.MATERIALS),
    ("labor", CostCategory.LABOR),
    ("labour", CostCategory.LABOR),
    ("payroll", CostCategory.LABOR),
    ("wage", CostCategory.LABOR),
    ("permit", CostCategory.PERMITS),
    ("dump", CostCategory.DISPOSAL),
    ("disposal", CostCategory.DISPOSAL),
    ("equipment", CostCategory.EQUIPMENT),
    ("rental", CostCategory.EQUIPMENT),
)


@dataclass(frozen=True)
class InvoiceRow:
    external_id: str
    job_number: str | None
    project_id: str | None
    doc_number: str
    customer_ref: str
    txn_date: date | None
    total_cents: int
    balance_cents: int
    status: AccountingDocStatus
    due_date: date | None = None


@dataclass(frozen=True)
class PaymentRow:
    """A customer payment and its split: ``(invoice Id, cents)`` per invoice it pays."""

    external_id: str
    txn_date: date | None
    total_cents: int
    unapplied_cents: int
    reference: str
    customer_ref: str
    split: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Named:
    """A customer (``kind`` "project": it ties a line to a job when it is a job's project) or a
    class that an expense line names."""

    kind: str
    id: str
    name: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.id)

    def __str__(self) -> str:
        what = "customer" if self.kind == "project" else "class"
        return f"{what} {self.name!r} (Id {self.id})" if self.name else f"{what} Id {self.id}"


@dataclass(frozen=True)
class CostRow:
    txn_type: str
    txn_id: str
    line_id: str
    # What might tie the line to a job, the customer first; none at all makes it overhead.
    named: tuple[Named, ...]
    mapping: tuple[str, str]  # ("account" | "item", id): the key of its category mapping
    amount_cents: int
    txn_date: date | None
    vendor_name: str
    description: str

    @property
    def allocated_to(self) -> str:
        return "; ".join(str(named) for named in self.named)

    def unallocated_reason(self) -> str:
        """Why no job takes the line, for the bookkeeper who can fix the books."""
        why = "; ".join(
            f"{named} is {'not the project of' if named.kind == 'project' else 'not named after'}"
            " one of our jobs"
            for named in self.named
        )
        where = ", ".join(filter(None, (self.vendor_name, str(self.txn_date or ""))))
        line = f"{self.txn_type} {self.txn_id} line {self.line_id}"
        return (
            f"{line} ({where}, ${from_cents(self.amount_cents):,}): {why}. Kept as unallocated "
            "cost, which counts toward no job until the line names a job's project or class."
        )


def project_job_number(customer: Customer) -> str | None:
    """A project's job number: its name starts with it ("1042 Smith - Re-roof")."""
    return job_number_in(customer.display_name) if customer.job else None


def job_number_in(name: str) -> str | None:
    match = _PROJECT_NUMBER.match(name)
    return match["job"] if match else None


def invoice_row(invoice: Invoice, pattern: re.Pattern[str]) -> InvoiceRow:
    match = pattern.match((invoice.doc_number or "").strip())
    return InvoiceRow(
        external_id=invoice.id,
        job_number=match["job"] if match else None,
        project_id=invoice.customer_ref.value,
        doc_number=(invoice.doc_number or "")[:40],
        customer_ref=invoice.customer_ref.value,
        txn_date=invoice.txn_date,
        total_cents=to_cents(invoice.total_amt),
        balance_cents=to_cents(invoice.balance),
        status=_invoice_status(invoice),
        due_date=invoice.due_date,
    )


def payment_row(payment: Payment) -> PaymentRow:
    """The split as the books made it: each line's Amount to the invoices it links (a line
    linking two invoices is rare; its amount then goes to the first, which is all QuickBooks
    says). What no invoice took is ``UnappliedAmt``, held on the customer's account."""
    split: dict[str, int] = {}
    for line in payment.line:
        invoice_id = next((t.txn_id for t in line.linked_txn if t.txn_type == "Invoice"), None)
        if invoice_id is not None:
            split[invoice_id] = split.get(invoice_id, 0) + to_cents(line.amount)
    total = to_cents(payment.total_amt)
    unapplied = payment.unapplied_amt
    return PaymentRow(
        external_id=payment.id,
        txn_date=payment.txn_date,
        total_cents=total,
        unapplied_cents=to_cents(unapplied)
        if unapplied is not None
        else total - sum(split.values()),
        reference=(payment.payment_ref_num or "")[:100],
        customer_ref=payment.customer_ref.value,
        split=tuple(split.items()),
    )


def _invoice_status(invoice: Invoice) -> AccountingDocStatus:
    if invoice.is_voided:
        return AccountingDocStatus.VOIDED
    return AccountingDocStatus.PAID if invoice.balance == 0 else AccountingDocStatus.OPEN


def cost_rows(txn: Bill | Purchase) -> list[CostRow]:
    """The expense lines of one bill or purchase (a credit-card refund counts negative)."""
    sign = Decimal(-1) if isinstance(txn, Purchase) and txn.credit else Decimal(1)
    rows = []
    for number, line in enumerate(txn.line, start=1):
        mapping = _mapping_of(line)
        if mapping is None:
            continue
        rows.append(
            CostRow(
                txn_type=txn.entity_name,
                txn_id=txn.id,
                line_id=line.id or str(number),
                named=_named_by(line),
                mapping=mapping,
                amount_cents=to_cents(line.amount * sign),
                txn_date=txn.txn_date,
                vendor_name=_vendor(txn)[:200],
                description=(line.description or "")[:2000],
            )
        )
    return rows


def _named_by(line: Line) -> tuple[Named, ...]:
    refs = (("project", line.customer_ref), ("class", line.class_ref))
    return tuple(Named(kind, ref.value, ref.name or "") for kind, ref in refs if ref is not None)


def _mapping_of(line: Line) -> tuple[str, str] | None:
    if line.account_based_expense_line_detail is not None:
        return ("account", line.account_based_expense_line_detail.account_ref.value)
    if line.item_based_expense_line_detail is not None:
        return ("item", line.item_based_expense_line_detail.item_ref.value)
    return None


def _vendor(txn: Bill | Purchase) -> str:
    ref = txn.vendor_ref if isinstance(txn, Bill) else txn.entity_ref
    return (ref.name or "") if ref else ""


def guess_category(account: Account) -> CostCategory:
    name = account.name.casefold()
    for fragment, category in CATEGORY_HINTS:
        if fragment in name:
            return category
    return CostCategory.OTHER
