"""roofops bench schedule at a tiny size: the JSON it promises and plans that pass the check
(the figures themselves are measured outside the suite, at the sizes the targets name)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from roofops.cli.main import app

PROMISED = {
    "objective",
    "bound",
    "gap_pct",
    "seconds",
    "greedy_objective",
    "replan_seconds",
    "moved_pct",
}


def test_the_schedule_bench_prints_its_figures_as_json() -> None:
    args = ["bench", "schedule", "--jobs", "8", "--crews", "3", "--days", "10", "--time-limit", "1"]

    outcome = CliRunner().invoke(app, [*args, "--json"])

    assert outcome.exit_code == 0, outcome.output
    figures = json.loads(outcome.output)
    assert figures.keys() >= PROMISED
    assert figures["violations"] == 0
    assert figures["bound"] <= figures["objective"] <= figures["greedy_objective"]
    assert 0 <= figures["moved_pct"] <= 100


def test_the_schedule_bench_prints_a_table() -> None:
    args = ["bench", "schedule", "--jobs", "6", "--crews", "2", "--days", "8", "--time-limit", "1"]

    outcome = CliRunner().invoke(app, args)

    assert outcome.exit_code == 0, outcome.output
    assert "greedy EDD" in outcome.output
    assert "re-plan" in outcome.output
