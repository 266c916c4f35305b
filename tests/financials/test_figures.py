"""What a job's figures mean (pure): estimates, costs to date, projected and actual margins,
which margin a job has, and the precedence of sources."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from roofops.financials.figures import (
    COST_FIGURES,
    FIGURES,
    Figure,
    Invoicing,
    cleared,
    derive,
    estimated_costs,
    margin_kind,
    ratio,
    synced,
)
from roofops.models.enums import FigureSource, JobStage, MarginKind

BOOKS = FigureSource.QUICKBOOKS
NOW = datetime(2026, 12, 4, 12, tzinfo=UTC)


def job_figures(contract: int | None, **costs: int | None) -> dict[str, Figure]:
    figures = {name: Figure(None, FigureSource.PLACEHOLDER) for name in FIGURES}
    figures["contract"] = Figure(contract, FigureSource.JOBNIMBUS, contract)
    figures.update({name: Figure(cents, BOOKS, cents) for name, cents in costs.items()})
    return figures


def test_estimated_costs_are_shares_of_the_price() -> None:
    estimate = estimated_costs(20_000_00)

    assert estimate["materials"] == 6_800_00
    assert estimate["subcontractor"] == 0
    assert sum(v for v in estimate.values() if v is not None) == 12_700_00
    assert estimated_costs(None) == dict.fromkeys(COST_FIGURES)


def test_a_deposit_and_no_bills_is_not_a_100_percent_margin() -> None:
    """The demo's open jobs: a deposit invoiced, nothing billed yet."""
    money = derive(job_figures(20_000_00), Invoicing(6_000_00, 6_000_00, 0))

    assert money.cost_to_date_cents is None
    assert money.projected_cost_cents == 12_700_00  # the estimate stands in for unknown costs
    assert money.projected_revenue_cents == 20_000_00  # the contract, not the deposit
    assert money.projected_margin == Decimal("0.3650")


def test_bills_before_any_invoice_are_not_a_loss() -> None:
    money = derive(job_figures(20_000_00, materials=7_100_00), None)

    assert money.projected_cost_cents == 13_000_00  # materials to date beat the estimate
    assert money.projected_margin == Decimal("0.3500")


def test_a_final_job_has_its_actual_margin_from_what_was_invoiced() -> None:
    costs = dict.fromkeys(COST_FIGURES, 0) | {"materials": 6_000_00, "labor": 5_000_00}
    # A supplement was invoiced on top of the signed price: revenue is what was invoiced.
    money = derive(job_figures(20_000_00, **costs), Invoicing(22_000_00, 22_000_00, 0))

    assert money.cost_to_date_cents == 11_000_00
    assert money.actual_revenue_cents == 22_000_00
    assert money.actual_margin == Decimal("0.5000")
    assert money.projected_revenue_cents == 22_000_00


def test_no_contract_means_no_margin() -> None:
    money = derive(job_figures(None, materials=100), None)

    assert (money.projected_margin, money.actual_margin) == (None, None)
    assert ratio(5, 0) is None


@pytest.mark.parametrize(
    ("stage", "days_in_stage", "costs", "kind"),
    [
        (JobStage.ESTIMATE, 90, 5_00, MarginKind.NONE),
        (JobStage.CANCELLED, 90, 5_00, MarginKind.NONE),
        (JobStage.CONTRACT_SIGNED, 1, None, MarginKind.PROJECTED),
        (JobStage.COMPLETED, 90, 5_00, MarginKind.PROJECTED),  # not invoiced yet
        (JobStage.INVOICED, 10, 5_00, MarginKind.PROJECTED),  # bills may still come
        (JobStage.INVOICED, 31, 5_00, MarginKind.ACTUAL),
        (JobStage.PAID, 0, 5_00, MarginKind.ACTUAL),
        (JobStage.PAID, 0, None, MarginKind.PROJECTED),  # no costs in the books: not final
        (JobStage.PAID, 0, 0, MarginKind.PROJECTED),
    ],
)
def test_which_margin_a_job_has(
    stage: JobStage, days_in_stage: int, costs: int | None, kind: MarginKind
) -> None:
    assert margin_kind(stage, NOW - timedelta(days=days_in_stage), costs, NOW) == kind


def test_outside_sources_replace_placeholders_but_never_manual_figures() -> None:
    assert synced(Figure(None, FigureSource.PLACEHOLDER), BOOKS, 700) == Figure(700, BOOKS, 700)
    manual = Figure(900, FigureSource.MANUAL, 650)
    assert synced(manual, BOOKS, 700) == Figure(900, FigureSource.MANUAL, 700)


def test_clearing_a_manual_figure_falls_back_to_its_source_then_the_fallback() -> None:
    assert cleared(Figure(900, FigureSource.MANUAL, 700), BOOKS, None) == Figure(700, BOOKS, 700)
    never_synced = Figure(900, FigureSource.MANUAL, None)
    assert cleared(never_synced, None, 500) == Figure(500, FigureSource.PLACEHOLDER, None)
