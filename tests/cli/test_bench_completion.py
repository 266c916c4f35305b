"""roofops bench completion on a tiny demo (the database given has none): the JSON it promises.
The figures themselves are measured outside the suite, on the full demo company."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from roofops.cli.main import app

PROMISED = {"mae_days", "bias_days", "coverage_80", "coverage_95", "c_index", "baseline_mae_days"}


def test_json_has_the_promised_keys_and_says_its_threads(tmp_path: Path) -> None:
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    result = CliRunner().invoke(
        app,
        ["bench", "completion", "--json", "--origins", "2", "--size", "0.1",
         "--database-url", empty],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout.strip().splitlines()[-1])

    assert set(figures) >= PROMISED
    assert figures["threads"] == 1
    assert figures["origins"] == 2
    assert figures["database"].startswith("demo (size 0.1, seed 42, ")  # as `make demo` builds
    assert figures["calibrated"] is True
    assert figures["calibration_jobs_per_origin"] >= 0
    assert figures["jobs"] > 0
    assert 0 <= figures["coverage_80"] <= 1
