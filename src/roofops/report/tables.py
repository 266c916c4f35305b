"""A report is a titled table: the one shape the page, the JSON API, CSV and XLSX all render,
so that no export can disagree with the page. Money cells are integer cents, ratios are
Decimals (0.3125 is 31.25 %), dates are dates."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from roofops.kit.types import StrEnum

Cell = str | int | Decimal | date | None


class ColumnKind(StrEnum):
    TEXT = "text"
    MONEY = "money"  # integer cents
    COUNT = "count"
    RATIO = "ratio"  # a Decimal fraction, shown as a percentage
    DATE = "date"


class ExportFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: ColumnKind
    definition: str = ""  # what the figure means and where it comes from (the page's hover)


@dataclass(frozen=True)
class Report:
    name: str  # the API's name: revenue, margins, ar-aging, wip, depreciation
    title: str
    scope: str  # the period, or the date it is as of
    source: str  # where the figures come from, in a sentence
    columns: Sequence[Column]
    rows: Sequence[Mapping[str, Cell]]
    total: Mapping[str, Cell] | None = None
    notes: list[str] = field(default_factory=list)

    def column(self, key: str) -> Column:
        return next(column for column in self.columns if column.key == key)

    def values(self, key: str) -> list[Cell]:
        return [row.get(key) for row in self.rows]
