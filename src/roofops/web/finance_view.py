"""What the financial reports page shows: the query from its form (checked like the API's),
the five reports, their chart data and export links."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from roofops.exceptions import ValidationFailed
from roofops.kit.money import from_cents
from roofops.report.periods import Comparison, period
from roofops.report.service import REPORTS, ReportQuery
from roofops.report.tables import Cell, Column, ColumnKind, Report

API = "/api/v1/reports/finance"


def report_query(params: QueryParams) -> ReportQuery:
    """The form's fields as the API names them; a bad comparison or date is a 422 message."""
    compare = params.get("compare") or Comparison.PREVIOUS.value
    if compare not in {c.value for c in Comparison}:
        raise ValidationFailed("compare with: previous, last_year or none", field="compare")
    return ReportQuery(
        since=params.get("from") or None,
        until=params.get("to") or None,
        compare=Comparison(compare),
        as_of=_day(params.get("as_of") or ""),
    )


def _day(text: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(f"as of must be a date (YYYY-MM-DD), not {text!r}") from None


@dataclass(frozen=True)
class Shown:
    """What the form shows: the months and the aging date the reports below are for."""

    first: str
    last: str
    as_of: str


def shown(query: ReportQuery, today: date) -> Shown:
    months = period(query.since, query.until, today)
    return Shown(months.first.label, months.last.label, (query.as_of or today).isoformat())


@dataclass(frozen=True)
class ReportView:
    report: Report
    exports: dict[str, str]  # format -> link


def views(reports: dict[str, Report], query: ReportQuery) -> list[ReportView]:
    params = {
        "from": query.since or "",
        "to": query.until or "",
        "compare": query.compare.value,
        "as_of": query.as_of.isoformat() if query.as_of else "",
    }
    kept = {key: value for key, value in params.items() if value}
    return [
        ReportView(
            reports[name],
            {f: f"{API}/{name}?{urlencode(kept | {'format': f})}" for f in ("csv", "xlsx")},
        )
        for name in REPORTS
    ]


def cell(column: Column, value: Cell, money: Any) -> str:
    """A figure as the page prints it (money through the page's one money door)."""
    if value is None or value == "":
        return ""
    if column.kind == ColumnKind.MONEY and isinstance(value, int):
        return str(money(value))
    if column.kind == ColumnKind.RATIO and isinstance(value, Decimal):
        return f"{value * 100:.1f}%"
    return str(value)


def charts(reports: dict[str, Report]) -> dict[str, dict[str, Any]]:
    """Chart.js data: revenue by month (and the compared months), AR aging by payer."""
    revenue, aging = reports["revenue"], reports["ar-aging"]
    return {
        "revenue": {
            "labels": revenue.values("month"),
            "invoiced": _dollars(revenue.values("invoiced")),
            "collected": _dollars(revenue.values("collected")),
            "compared": _dollars(revenue.values("compared_invoiced")),
        },
        "aging": {
            "labels": aging.values("payer"),
            "buckets": [
                {"label": column.label, "data": _dollars(aging.values(column.key))}
                for column in aging.columns
                if column.kind == ColumnKind.MONEY and column.key != "open"
            ],
        },
    }


def _dollars(values: list[Cell]) -> list[float | None]:
    # Chart.js draws floats; the page's tables and the exports keep exact cents.
    return [float(from_cents(v)) if isinstance(v, int) else None for v in values]
