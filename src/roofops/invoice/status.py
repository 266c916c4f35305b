"""Where an invoice stands, from its money, its dates and whether it went out.

One rule for every path that changes an invoice (a payment read back from the books, a send, the
daily overdue sweep), so that they never disagree:

- void stays void;
- paid in full is paid;
- an invoice nobody has issued yet (not sent, not in the books, nothing paid) is a draft, and
  a draft is never overdue;
- an issued invoice with money outstanding past its due date is overdue;
- otherwise partially paid when some money came in, else sent.
"""

from __future__ import annotations

from datetime import date

from roofops.models.invoice import Invoice, InvoiceStatus, PushStatus


def issued(invoice: Invoice) -> bool:
    """The payer has it, or the books do: it can fall due."""
    return (
        invoice.sent_at is not None
        or invoice.push_status == PushStatus.PUSHED
        or invoice.paid_cents > 0
    )


def tracked_status(invoice: Invoice, today: date) -> InvoiceStatus:
    if invoice.status == InvoiceStatus.VOID:
        return InvoiceStatus.VOID
    if invoice.paid_cents >= invoice.total_cents and issued(invoice):
        return InvoiceStatus.PAID
    if not issued(invoice):
        return InvoiceStatus.DRAFT
    if invoice.due_date < today:
        return InvoiceStatus.OVERDUE
    return InvoiceStatus.PARTIALLY_PAID if invoice.paid_cents > 0 else InvoiceStatus.SENT


def refresh_status(invoice: Invoice, today: date) -> bool:
    """Set the invoice's status by the rule; whether it changed."""
    status = tracked_status(invoice, today)
    changed = status != invoice.status
    invoice.status = status
    return changed


# Issued, money outstanding: past their due date these are overdue, recorded or not.
FALLING_DUE = (InvoiceStatus.SENT, InvoiceStatus.PARTIALLY_PAID)


def status_on(invoice: Invoice, today: date) -> InvoiceStatus:
    """The recorded status as of ``today``: a sent or partly paid invoice past its due date is
    overdue even before the overdue sweep records it (lists filter by the same reading)."""
    if invoice.status in FALLING_DUE and invoice.due_date < today:
        return InvoiceStatus.OVERDUE
    return invoice.status
