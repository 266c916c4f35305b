"""docs/executive.md prints the KPI registry as it is, and the registry is complete."""

from __future__ import annotations

from pathlib import Path

from roofops.kpi.registry import BY_KEY, KPIS, visible
from roofops.kpi.registry_doc import BEGIN, END, rewrite

PAGE = Path(__file__).resolve().parents[2] / "docs" / "executive.md"
ISSUE_KPIS = {
    "revenue",
    "gross_profit",
    "margin",
    "backlog",
    "close_rate",
    "cycle_time",
    "ar",
    "depreciation_outstanding",
    "forecast_vs_actual",
}


def test_the_page_matches_the_registry() -> None:
    text = PAGE.read_text()
    assert BEGIN in text
    assert END in text
    # On failure: uv run --frozen python -m roofops.kpi.registry_doc docs/executive.md
    assert rewrite(text) == text


def test_the_registry_holds_every_kpi_the_issue_names_each_fully_described() -> None:
    assert set(BY_KEY) >= ISSUE_KPIS
    assert len(BY_KEY) == len(KPIS)
    for kpi in KPIS:
        assert kpi.definition
        assert kpi.formula
        assert kpi.sources
        assert kpi.aggregation


def test_money_kpis_are_left_out_without_view_money() -> None:
    hidden = {kpi.key for kpi in KPIS} - {kpi.key for kpi in visible(with_money=False)}
    assert hidden == {kpi.key for kpi in KPIS if kpi.money}
    assert {"revenue", "gross_profit", "margin", "ar", "backlog"} <= hidden
