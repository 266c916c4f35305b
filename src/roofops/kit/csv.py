"""Spreadsheet-safe cells: text that a spreadsheet would run as a formula is kept as text."""

from __future__ import annotations

# What makes Excel, LibreOffice and Google Sheets read a cell as a formula (OWASP: CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(text: str) -> str:
    """``=HYPERLINK(...)`` becomes ``'=HYPERLINK(...)``: shown as typed, never evaluated."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text
