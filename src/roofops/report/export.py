"""A report as CSV or XLSX: the page's table, its title, scope and source above it.

Text cells are neutralised like every CSV export (roofops.kit.csv.safe_cell): a cell that a
spreadsheet would run as a formula is kept as text. In XLSX, money is a number with a currency
format and ratios a percentage, so that the sheet sums them; CSV money is dollars (12500.00).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from roofops.kit.csv import safe_cell
from roofops.kit.money import from_cents
from roofops.report.tables import Cell, Column, ColumnKind, ExportFormat, Report

CURRENCY_FORMAT = '"$"#,##0.00;-"$"#,##0.00'
PERCENT_FORMAT = "0.00%"
DATE_FORMAT = "yyyy-mm-dd"


def to_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for line in _heading(report):
        writer.writerow([safe_cell(line)])
    writer.writerow([column.label for column in report.columns])
    for row in _rows(report):
        writer.writerow([_csv_cell(column, row.get(column.key)) for column in report.columns])
    return out.getvalue()


def to_xlsx(report: Report) -> bytes:
    # Imported on the first XLSX export, not at start-up: openpyxl takes about 0.2 s to load.
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = report.name[:31]
    for line in _heading(report):
        sheet.append([safe_cell(line)])
    sheet.append([column.label for column in report.columns])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in _rows(report):
        sheet.append([_xlsx_value(column, row.get(column.key)) for column in report.columns])
        for cell, column in zip(sheet[sheet.max_row], report.columns, strict=True):
            cell.number_format = _xlsx_format(column) or cell.number_format
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _heading(report: Report) -> Iterator[str]:
    yield report.title
    yield report.scope
    yield f"Source: {report.source}"
    yield from report.notes


def _rows(report: Report) -> Iterator[dict[str, Cell]]:
    yield from (dict(row) for row in report.rows)
    if report.total is not None:
        yield dict(report.total)


def _csv_cell(column: Column, value: Cell) -> str:
    if value is None:
        return ""
    if column.kind == ColumnKind.MONEY and isinstance(value, int):
        return str(from_cents(value))
    if column.kind == ColumnKind.RATIO and isinstance(value, Decimal):
        return f"{value * 100:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    return safe_cell(str(value))


def _xlsx_value(column: Column, value: Cell) -> object:
    if column.kind == ColumnKind.MONEY and isinstance(value, int):
        return from_cents(value)
    if isinstance(value, str):
        return safe_cell(value)
    return value


def _xlsx_format(column: Column) -> str | None:
    return {
        ColumnKind.MONEY: CURRENCY_FORMAT,
        ColumnKind.RATIO: PERCENT_FORMAT,
        ColumnKind.DATE: DATE_FORMAT,
    }.get(column.kind)


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA_TYPES = {ExportFormat.CSV: "text/csv; charset=utf-8", ExportFormat.XLSX: XLSX_TYPE}


def exported(report: Report, export: ExportFormat) -> tuple[bytes, str, str]:
    """(content, media type, file name) of a CSV or XLSX export."""
    content = to_xlsx(report) if export == ExportFormat.XLSX else to_csv(report).encode()
    return content, MEDIA_TYPES[export], f"{report.name}.{export.value}"
