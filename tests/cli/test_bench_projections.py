"""roofops bench projections at a tiny size: the JSON it promises, figures in range, the thread
count said, and the table made from the same figures (the figures themselves are measured
outside the suite: docs/forecasting-projections.md)."""

from __future__ import annotations

import json

from rich.console import Console
from typer.testing import CliRunner

from roofops.cli.bench_projections import print_projections
from roofops.cli.main import app

BAND_KEYS = {"coverage_80", "coverage_95", "wape", "mape", "points"}


def test_the_projections_bench_prints_its_figures_as_json_and_as_a_table() -> None:
    args = ["bench", "projections", "--size", "0.1", "--origins", "1", "--json"]

    outcome = CliRunner().invoke(app, args)

    assert outcome.exit_code == 0, outcome.output
    figures = json.loads(outcome.output.strip().splitlines()[-1])
    assert figures["threads"] == 1
    assert len(figures["origins"]) == 1
    assert figures["demand"].keys() >= BAND_KEYS
    assert figures["revenue"].keys() >= BAND_KEYS | {"month_coverage_80", "month_wape"}
    assert figures["win_probability"].keys() >= {"brier", "calibration_error"}
    for model in ("demand", "revenue"):
        assert 0 <= figures[model]["coverage_80"] <= figures[model]["coverage_95"] <= 1
    assert 0 <= figures["win_probability"]["brier"] <= 1
    console = Console(record=True, width=120)
    print_projections(console, figures)
    table = console.export_text()
    assert "Projections backtest" in table
    assert "demand (week)" in table
    assert "threads 1" in table
