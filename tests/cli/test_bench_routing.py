"""roofops bench routing on two Solomon files for a second each: the JSON it promises, every
solution checked, and a broken solution reported as an error rather than a figure."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from roofops.cli.bench_routing import measure, run_routing_bench
from roofops.cli.main import app
from roofops.engines.routing.peers import PeerPlan
from roofops.engines.routing.solomon import read_solomon

DATA = Path(__file__).parents[1] / "engines" / "routing" / "data"
ROW = {"name", "vehicles", "distance", "gap_pct", "seconds"}


def test_the_bench_prints_per_instance_figures_and_the_mean_gap() -> None:
    args = ["bench", "routing", "--instances", str(DATA), "--bks", str(DATA / "bks.csv")]

    result = CliRunner().invoke(app, [*args, "--time-limit", "1", "--json"])

    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert set(figures) == {"instances", "mean_gap_pct"}
    assert [row["name"] for row in figures["instances"]] == ["C101", "R101"]
    assert all(set(row) == ROW for row in figures["instances"])
    assert 0 <= figures["mean_gap_pct"] < 10  # the plumbing; the figure is the bench's to measure


def test_the_peers_run_on_the_same_instances_in_the_same_run() -> None:
    # On a loaded machine a peer may find nothing in a second: that is an error row, not a gap.
    figures = run_routing_bench(DATA, DATA / "bks.csv", 1.0, peers=True)

    assert set(figures["peers"]) == {"ortools", "vroom"}
    for table in figures["peers"].values():
        assert [row["name"] for row in table["instances"]] == ["C101", "R101"]
        for row in table["instances"]:
            assert set(row) == (ROW | {"error"} if "error" in row else ROW)
            assert (row["gap_pct"] is None) == ("error" in row)


def test_a_solution_that_misses_a_customer_is_an_error_not_a_figure() -> None:
    instance = read_solomon(DATA / "C101.txt")
    everyone = [visit.id for visit in instance.problem.visits]

    missing = measure(instance, PeerPlan("broken", [("v1", everyone[:-1])], 0.1), 827.3)

    assert missing.distance is None
    assert missing.gap_pct is None
    assert missing.error is not None
