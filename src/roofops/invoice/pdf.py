"""An invoice as a PDF (fpdf2: pure Python, core fonts, no system packages)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from roofops.invoice.amounts import dollars
from roofops.models.invoice import Invoice

if TYPE_CHECKING:
    from fpdf import FPDF


@dataclass(frozen=True)
class Letterhead:
    company: str
    job_number: str
    job_name: str
    address: str


def _latin1(value: str) -> str:
    """The PDF core fonts cover Latin-1: anything else prints as '?' instead of failing."""
    return value.encode("latin-1", "replace").decode("latin-1")


def render(invoice: Invoice, head: Letterhead) -> bytes:
    from fpdf import FPDF  # imported here: only a PDF request pays for it

    pdf = FPDF(format="letter")
    pdf.set_title(f"Invoice {invoice.number}")
    pdf.set_author(_latin1(head.company))
    pdf.add_page()
    _header(pdf, invoice, head)
    _lines(pdf, invoice)
    _totals(pdf, invoice)
    return bytes(pdf.output())


def _row(pdf: FPDF, label: str, value: str, *, bold: bool = False) -> None:
    pdf.set_font("Helvetica", "B" if bold else "", 10)
    pdf.cell(45, 6, _latin1(label))
    pdf.cell(0, 6, _latin1(value), new_x="LMARGIN", new_y="NEXT")


def _header(pdf: FPDF, invoice: Invoice, head: Letterhead) -> None:
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 10, _latin1(head.company), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 14)
    title = f"Invoice {invoice.number}" + (" (VOID)" if invoice.voided_at else "")
    pdf.cell(0, 9, _latin1(title), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    _row(pdf, "Bill to", f"{invoice.payer_name} ({invoice.payer_kind.value.replace('_', ' ')})")
    _row(pdf, "Job", f"{head.job_number} {head.job_name}")
    _row(pdf, "Property", head.address)
    _row(pdf, "Kind", invoice.kind.value.replace("_", " "))
    _row(pdf, "Issued", invoice.issue_date.isoformat())
    _row(pdf, "Due", invoice.due_date.isoformat(), bold=True)
    if invoice.memo:
        _row(pdf, "Memo", invoice.memo)
    pdf.ln(4)


def _lines(pdf: FPDF, invoice: Invoice) -> None:
    pdf.set_font("Helvetica", "B", 10)
    for label, width, align in (("Description", 110, "L"), ("Qty", 20, "R")):
        pdf.cell(width, 7, label, border="B", align=align)
    pdf.cell(30, 7, "Unit price", border="B", align="R")
    pdf.cell(0, 7, "Amount", border="B", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    for line in invoice.lines:
        pdf.cell(110, 7, _latin1(line.description[:70]))
        pdf.cell(20, 7, f"{line.quantity.normalize():f}", align="R")
        pdf.cell(30, 7, dollars(line.unit_price_cents), align="R")
        pdf.cell(0, 7, dollars(line.amount_cents), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def _totals(pdf: FPDF, invoice: Invoice) -> None:
    for label, cents in (
        ("Total", invoice.total_cents),
        ("Paid", invoice.paid_cents),
        ("Balance due", invoice.outstanding_cents),
    ):
        pdf.set_font("Helvetica", "B" if label != "Paid" else "", 11)
        pdf.cell(160, 7, label, align="R")
        pdf.cell(0, 7, dollars(cents), align="R", new_x="LMARGIN", new_y="NEXT")
    if invoice.voided_at:
        pdf.set_font("Helvetica", "I", 10)
        pdf.multi_cell(0, 6, _latin1(f"Voided: {invoice.void_reason}"))
