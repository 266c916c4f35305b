"""What the KPI service returns; the executive dashboard, its API and the weekly report PDF
all read these."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from roofops.kit.types import StrEnum
from roofops.models.enums import VENDOR_NAMES

# Where a share of a KPI's amount came from (a FigureSource, or "roofops": our invoices the
# books do not hold yet), as the executive page and the weekly report name it.
SOURCE_LABELS = {
    "placeholder": "placeholder estimates",
    **VENDOR_NAMES,
    "manual": "entered by hand",
    "roofops": "roofops invoices",
}


class KpiUnit(StrEnum):
    CENTS = "cents"
    PERCENT = "percent"  # 0-100
    DAYS = "days"
    CREW_DAYS = "crew_days"
    COUNT = "count"


class Grain(StrEnum):
    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True)
class KpiDefinition:
    key: str  # "revenue", "gross_profit", "close_rate", ...
    label: str
    unit: KpiUnit
    definition: str  # what it means, in the owner's words
    formula: str  # how it is computed, e.g. "sum(invoice total) by issue date, void excluded"
    sources: tuple[str, ...]  # tables/vendors it reads: "invoices (QuickBooks, Xero, roofops)"
    aggregation: str  # "sum over the period", "median over jobs completed in the period", ...
    money: bool  # needs view_money to be seen
    higher_is_better: bool = True
    point_in_time: bool = False  # a balance at the period's end (AR, backlog), not a flow


@dataclass(frozen=True)
class Period:
    start: date  # first day, inclusive
    end: date  # last day, inclusive
    grain: Grain

    @property
    def label(self) -> str:
        if self.grain is Grain.MONTH:
            return self.start.strftime("%B %Y")
        return f"week of {self.start.isoformat()}"

    def previous(self) -> Period:
        if self.grain is Grain.WEEK:
            return Period(self.start - timedelta(7), self.end - timedelta(7), self.grain)
        last = self.start - timedelta(1)
        return Period(last.replace(day=1), last, self.grain)

    def year_before(self) -> Period:
        if self.grain is Grain.WEEK:  # the same ISO week a year before: 52 weeks back
            return Period(self.start - timedelta(364), self.end - timedelta(364), self.grain)
        start = self.start.replace(year=self.start.year - 1)
        following = (start.replace(day=28) + timedelta(4)).replace(day=1)
        return Period(start, following - timedelta(1), self.grain)


@dataclass(frozen=True)
class KpiValue:
    key: str
    period: Period
    value: float | None  # None: nothing to measure (no job closed in the period)
    previous: float | None  # the period before (month-over-month, week-over-week)
    year_before: float | None  # the same period a year before
    # Money KPIs: the share of the amount by figure source ("placeholder", "quickbooks",
    # "xero", "manual", "roofops" for our own invoices), shares summing to 1. Empty otherwise.
    source_shares: dict[str, float]
    partial: bool  # the period is still running (or the figure rests on open jobs)
    basis: str  # what it rests on: "42 invoices", "18 jobs completed", ...

    @property
    def change(self) -> float | None:
        return _relative(self.value, self.previous)

    @property
    def change_year(self) -> float | None:
        return _relative(self.value, self.year_before)


@dataclass(frozen=True)
class KpiPoint:
    period: Period
    value: float | None
    partial: bool


@dataclass(frozen=True)
class ExecutiveView:
    as_of: date
    period: Period
    values: tuple[KpiValue, ...]  # in registry order, money KPIs left out without view_money
    history: dict[str, tuple[KpiPoint, ...]]  # the last 13 periods per KPI, oldest first


def _relative(value: float | None, base: float | None) -> float | None:
    """Relative change, None where it cannot be told (no base, base zero)."""
    if value is None or base is None or base == 0:
        return None
    return (value - base) / abs(base)
