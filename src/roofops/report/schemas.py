"""The financial reports in JSON: one shape for every report (its table, each column with its
definition), money in dollars with two decimals, ratios as fractions (0.3125 is 31.25 %)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field

from roofops.kit.money import from_cents
from roofops.report.tables import Cell, Column, ColumnKind, Report

CellOut = str | int | Decimal | date | None


class ColumnOut(BaseModel):
    key: str
    label: str
    kind: ColumnKind = Field(description="money (dollars), count, ratio (a fraction), text, date")
    definition: str = Field(description="what the figure means and where it comes from")


class ReportOut(BaseModel):
    name: str
    title: str
    scope: str = Field(description="the period, or the date the report is as of")
    source: str = Field(description="where the figures come from")
    notes: list[str]
    columns: list[ColumnOut]
    rows: list[dict[str, CellOut]]
    total: dict[str, CellOut] | None = Field(description="the money columns summed")

    @classmethod
    def of(cls, report: Report) -> ReportOut:
        return cls(
            name=report.name,
            title=report.title,
            scope=report.scope,
            source=report.source,
            notes=list(report.notes),
            columns=[ColumnOut(**_column(column)) for column in report.columns],
            rows=[_row(report, row) for row in report.rows],
            total=None if report.total is None else _row(report, report.total),
        )


def _column(column: Column) -> dict[str, str]:
    return {
        "key": column.key,
        "label": column.label,
        "kind": column.kind.value,
        "definition": column.definition,
    }


def _row(report: Report, row: Mapping[str, Cell]) -> dict[str, CellOut]:
    kinds = {column.key: column.kind for column in report.columns}
    return {
        key: from_cents(value)
        if kinds.get(key) == ColumnKind.MONEY and isinstance(value, int)
        else value
        for key, value in row.items()
    }
