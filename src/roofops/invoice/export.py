"""The invoices list as CSV: one row per invoice, money in dollars, text made spreadsheet-safe."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date

from roofops.invoice.status import status_on
from roofops.kit.csv import safe_cell
from roofops.kit.money import from_cents
from roofops.models.invoice import Invoice

CSV_HEADER = (
    "number",
    "job_number",
    "job_name",
    "kind",
    "payer_kind",
    "payer_name",
    "issue_date",
    "due_date",
    "status",
    "push_status",
    "total",
    "paid",
    "outstanding",
    "void_reason",
)


def invoices_csv(invoices: Iterable[Invoice], today: date) -> str:
    """``today``: the status is the one the list shows (overdue once past due)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    writer.writerows(_row(invoice, today) for invoice in invoices)
    return out.getvalue()


def _row(invoice: Invoice, today: date) -> list[str]:
    # Names, memos and reasons are typed by people or synced from other systems: any of them
    # could start with "=" and run as a formula in the spreadsheet that opens this file.
    text = [invoice.number, invoice.job.number, invoice.job.name]
    return [
        *(safe_cell(value) for value in text),
        invoice.kind.value,
        invoice.payer_kind.value,
        safe_cell(invoice.payer_name),
        invoice.issue_date.isoformat(),
        invoice.due_date.isoformat(),
        status_on(invoice, today).value,
        invoice.push_status.value,
        str(from_cents(invoice.total_cents)),
        str(from_cents(invoice.paid_cents)),
        str(from_cents(invoice.outstanding_cents)),
        safe_cell(invoice.void_reason),
    ]
