"""Pure arithmetic of a job's money: what each figure means, and which margin a job has.

The definitions (docs/profitability.md says the same, and the pages show them on hover):

- **Contract amount**: the price the customer signed. Set by hand (MANUAL), else the CRM's job
  amount (JOBNIMBUS), else estimated from squares x the price list (PLACEHOLDER).
- **Invoiced to date**, **paid**, **balance**: what the books say of the job's invoices (voided
  and deleted ones do not count); unknown until an accounting system is synced.
- **Costs to date**: the job's bills, expenses and checks in the books, by category (a category
  may be set by hand); unknown until the books are synced.
- **Estimated costs**: the contract amount times typical roofing cost shares, by category.
- **Projected cost**: per category, the costs to date or the estimate, whichever is larger
  (costs to date plus the estimated remainder), so that an open job with a deposit invoiced and
  no bills yet does not look like a 100 % margin.
- **Revenue**: the contract amount or what has been invoiced, whichever is larger (an insurance
  supplement invoiced on top of the signed price is revenue); once the job is final, what was
  invoiced (the contract amount if no accounting system is connected).
- **Projected margin**: (revenue - projected cost) / revenue, for a sold job that is not final.
- **Actual margin**: (revenue - costs to date) / revenue, once the job is final: paid, or
  invoiced for :data:`COSTS_SETTLE` (the bills of a finished roof arrive within weeks), and with
  costs in the books. A job that is not sold (lead to estimate, lost, cancelled) has no margin.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from roofops.job.lifecycle import CLOSEOUT, PRODUCTION
from roofops.kit.time import as_utc
from roofops.models.enums import CostCategory, FigureSource, JobStage, MarginKind

# What each figure means, in one sentence: the pages show it on hover, the docs say the same.
DEFINITIONS: Mapping[str, str] = {
    "contract": "The price the customer signed: set by hand, else the CRM's job amount, else "
    "estimated from squares x the price list.",
    "invoiced": "What the books have invoiced for the job to date (voided and deleted invoices "
    "do not count).",
    "paid": "What the customer and the insurer have paid of those invoices.",
    "balance": "What the job's invoices still have open (accounts receivable).",
    "cost_to_date": "The job's bills, expenses and checks in the books so far, by category.",
    "estimated_cost": "The contract amount times typical roofing cost shares, by category.",
    "projected_cost": "Per category, the costs to date or the estimate, whichever is larger: "
    "costs to date plus the estimated remainder.",
    "projected_margin": "For a sold job that is not final: (revenue - projected cost) / "
    "revenue. Revenue is the contract amount or what was invoiced, whichever is larger.",
    "actual_margin": "For a final job (paid, or invoiced for 30 days, with costs in the "
    "books): (invoiced - costs to date) / invoiced.",
    "sold": "Jobs with a signed contract that are not lost or cancelled; only they count in "
    "money totals and margins.",
    "overhead": "Costs in the books on no customer and no class (rent, fuel, the office): the "
    "company's, in no job's figures.",
    "unallocated": "Cost lines on a customer or class that is none of your jobs (often the "
    "parent customer instead of the job's project): in no job's figures until fixed in the "
    "books.",
}
COST_FIGURES = tuple(category.value for category in CostCategory)
# The figures a person may set by hand: the contract amount and the costs to date by category.
FIGURES = ("contract", *COST_FIGURES)
COSTS_SETTLE = timedelta(days=30)
# Sold: a signed contract, in production or closing out (not lost or cancelled).
SOLD_STAGES = PRODUCTION | CLOSEOUT

# Typical roofing cost shares of the selling price, for the estimate until the books say
# otherwise (materials about a third, installation labor a fifth, a dumpster, the permit...).
ESTIMATED_COST_SHARE: Mapping[str, Decimal] = {
    "materials": Decimal("0.34"),
    "labor": Decimal("0.22"),
    "subcontractor": Decimal("0"),
    "permits": Decimal("0.015"),
    "disposal": Decimal("0.03"),
    "equipment": Decimal("0.01"),
    "other": Decimal("0.02"),
}


@dataclass(frozen=True)
class Figure:
    """A figure in force, where it came from, and what the outside source last said."""

    cents: int | None
    source: FigureSource
    synced_cents: int | None = None


@dataclass(frozen=True)
class Invoicing:
    invoiced_cents: int
    paid_cents: int
    balance_cents: int


@dataclass(frozen=True)
class Money:
    """Everything derived from a job's figures (see the module's definitions)."""

    contract_cents: int | None
    estimated_cost_cents: int | None
    cost_to_date_cents: int | None
    projected_revenue_cents: int | None
    projected_cost_cents: int | None
    projected_profit_cents: int | None
    projected_margin: Decimal | None
    actual_revenue_cents: int | None
    actual_profit_cents: int | None
    actual_margin: Decimal | None


def estimated_costs(contract_cents: int | None) -> dict[str, int | None]:
    """The cost of each category, estimated from the selling price (None without a price)."""
    return {
        name: None if contract_cents is None else cents(contract_cents * share)
        for name, share in ESTIMATED_COST_SHARE.items()
    }


def derive(figures: Mapping[str, Figure], invoicing: Invoicing | None) -> Money:
    contract = figures["contract"].cents
    budget = estimated_costs(contract)
    to_date = [figures[name].cents for name in COST_FIGURES]
    known = [value for value in to_date if value is not None]
    cost_to_date = sum(known) if known else None
    projected_cost = _sum_or_none(
        _larger(figures[name].cents, budget[name]) for name in COST_FIGURES
    )
    invoiced = invoicing.invoiced_cents if invoicing is not None else None
    projected_revenue = _larger(contract, invoiced)
    actual_revenue = invoiced if invoiced else contract
    projected_profit = _minus(projected_revenue, projected_cost)
    actual_profit = _minus(actual_revenue, cost_to_date)
    return Money(
        contract_cents=contract,
        estimated_cost_cents=_sum_or_none(budget.values()),
        cost_to_date_cents=cost_to_date,
        projected_revenue_cents=projected_revenue,
        projected_cost_cents=projected_cost,
        projected_profit_cents=projected_profit,
        projected_margin=ratio(projected_profit, projected_revenue),
        actual_revenue_cents=actual_revenue,
        actual_profit_cents=actual_profit,
        actual_margin=ratio(actual_profit, actual_revenue),
    )


def margin_kind(
    stage: JobStage, stage_changed_at: datetime, cost_to_date_cents: int | None, now: datetime
) -> MarginKind:
    """Which margin a job has now: none (not sold), projected, or actual (final, costs in)."""
    if stage not in SOLD_STAGES:
        return MarginKind.NONE
    settled = stage == JobStage.PAID or (
        stage == JobStage.INVOICED and as_utc(stage_changed_at) <= now - COSTS_SETTLE
    )
    return MarginKind.ACTUAL if settled and cost_to_date_cents else MarginKind.PROJECTED


def synced(current: Figure, source: FigureSource, value: int | None) -> Figure:
    """The figure after an outside source said ``value``: a MANUAL figure keeps its amount."""
    if current.source == FigureSource.MANUAL:
        return Figure(current.cents, FigureSource.MANUAL, value)
    if value is None:
        return Figure(None, FigureSource.PLACEHOLDER, None)
    return Figure(value, source, value)


def cleared(current: Figure, source: FigureSource | None, fallback_cents: int | None) -> Figure:
    """A MANUAL figure given back to what its outside source last said, else to the fallback
    (the estimate for the contract amount, nothing for a cost)."""
    if current.synced_cents is not None and source is not None:
        return Figure(current.synced_cents, source, current.synced_cents)
    return Figure(fallback_cents, FigureSource.PLACEHOLDER, current.synced_cents)


def cents(value: Decimal | int) -> int:
    return int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def ratio(part: int | None, whole: int | None) -> Decimal | None:
    """The one margin rounding: four decimals (0.3125 is 31.25 %), none for a zero whole."""
    if part is None or not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def _larger(first: int | None, second: int | None) -> int | None:
    values = [value for value in (first, second) if value is not None]
    return max(values) if values else None


def _minus(first: int | None, second: int | None) -> int | None:
    return None if first is None or second is None else first - second


def _sum_or_none(values: Iterable[int | None]) -> int | None:
    known = [value for value in values if value is not None]
    return sum(known) if known else None
