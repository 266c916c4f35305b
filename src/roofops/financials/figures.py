"""Pure arithmetic of a job's figures: placeholders, totals, margin, and source precedence."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from roofops.models.enums import CostCategory, FigureSource

COST_FIGURES = tuple(category.value for category in CostCategory)
FIGURES = ("contract", *COST_FIGURES)

# Typical roofing cost shares of the selling price, for placeholder costs until the books say
# otherwise (materials about a third, installation labor a fifth, a dumpster, the permit...).
PLACEHOLDER_COST_SHARE: Mapping[str, Decimal] = {
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
    cents: int | None
    source: FigureSource
    synced_cents: int | None = None


@dataclass(frozen=True)
class Totals:
    contract_cents: int | None
    total_cost_cents: int | None
    gross_profit_cents: int | None
    margin: Decimal | None


def placeholder_figures(contract_cents: int | None) -> dict[str, int | None]:
    """Contract and costs estimated from the selling price (None when there is no price)."""
    estimate: dict[str, int | None] = {"contract": contract_cents}
    for name, share in PLACEHOLDER_COST_SHARE.items():
        estimate[name] = None if contract_cents is None else _cents(contract_cents * share)
    return estimate


def totals(figures: Mapping[str, Figure]) -> Totals:
    contract = figures["contract"].cents
    costs = [figures[name].cents for name in COST_FIGURES]
    known = [cost for cost in costs if cost is not None]
    total_cost = sum(known) if known else None
    if contract is None or total_cost is None:
        return Totals(contract, total_cost, None, None)
    profit = contract - total_cost
    margin = _ratio(profit, contract) if contract else None
    return Totals(contract, total_cost, profit, margin)


def synced(current: Figure, provider: FigureSource, cents: int) -> Figure:
    """The figure after the books said ``cents``: a MANUAL figure keeps its amount."""
    if current.source == FigureSource.MANUAL:
        return Figure(current.cents, FigureSource.MANUAL, cents)
    return Figure(cents, provider, cents)


def cleared(current: Figure, placeholder: int | None, provider: FigureSource | None) -> Figure:
    """A MANUAL figure given back: to the books' amount if they have one, else the estimate."""
    if current.synced_cents is not None and provider is not None:
        return Figure(current.synced_cents, provider, current.synced_cents)
    return Figure(placeholder, FigureSource.PLACEHOLDER, current.synced_cents)


def _cents(value: Decimal | int) -> int:
    return int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _ratio(part: int, whole: int) -> Decimal:
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
