"""The arithmetic and precedence of a job's figures (pure)."""

from __future__ import annotations

from decimal import Decimal

from roofops.financials.figures import (
    FIGURES,
    Figure,
    cleared,
    placeholder_figures,
    synced,
    totals,
)
from roofops.models.enums import FigureSource

BOOKS = FigureSource.QUICKBOOKS


def test_placeholder_costs_are_shares_of_the_price() -> None:
    estimate = placeholder_figures(20_000_00)

    assert estimate["contract"] == 20_000_00
    assert estimate["materials"] == 6_800_00
    assert estimate["subcontractor"] == 0
    assert placeholder_figures(None) == dict.fromkeys(FIGURES)


def test_totals_and_margin() -> None:
    figures = {name: Figure(0, BOOKS) for name in FIGURES}
    figures["contract"] = Figure(10_000_00, BOOKS)
    figures["materials"] = Figure(3_500_00, BOOKS)
    figures["labor"] = Figure(2_750_00, BOOKS)

    result = totals(figures)

    assert result.total_cost_cents == 6_250_00
    assert result.gross_profit_cents == 3_750_00
    assert result.margin == Decimal("0.3750")


def test_no_contract_means_no_margin() -> None:
    figures = {name: Figure(100, BOOKS) for name in FIGURES}
    figures["contract"] = Figure(None, FigureSource.PLACEHOLDER)

    assert totals(figures).margin is None


def test_the_books_replace_placeholders_but_never_manual_figures() -> None:
    assert synced(Figure(500, FigureSource.PLACEHOLDER), BOOKS, 700) == Figure(700, BOOKS, 700)
    manual = Figure(900, FigureSource.MANUAL, 650)
    assert synced(manual, BOOKS, 700) == Figure(900, FigureSource.MANUAL, 700)


def test_clearing_a_manual_figure_falls_back_to_the_books_then_the_estimate() -> None:
    assert cleared(Figure(900, FigureSource.MANUAL, 700), 500, BOOKS) == Figure(700, BOOKS, 700)
    never_synced = Figure(900, FigureSource.MANUAL, None)
    assert cleared(never_synced, 500, None) == Figure(500, FigureSource.PLACEHOLDER, None)
