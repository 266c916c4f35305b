"""roofops bench forecast on small panels written for the test: the JSON it promises, both
file kinds and both kinds of ``ds``, and a clear exit 2 for a panel it cannot score."""

from __future__ import annotations

import gzip
import json
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from roofops.cli.main import app

KEYS = {"mase", "smape", "beat_baseline_pct", "coverage_80", "coverage_95", "cpu_seconds"}


def _rows(series: int, points: int, *, dates: bool) -> list[str]:
    rng = np.random.default_rng(7)
    rows = ["unique_id,ds,y"]
    for number in range(series):
        steps = np.arange(points)
        values = 50 + 10 * number + 8 * np.sin(2 * np.pi * steps / 12) + rng.normal(0, 1, points)
        for step, value in zip(steps, values, strict=True):
            ds = date(2015, 1, 1) + timedelta(days=31 * int(step)) if dates else step
            rows.append(f"s{number},{ds},{value:.3f}")
    return rows


def _write(path: Path, rows: list[str]) -> Path:
    text = "\n".join(rows) + "\n"
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text)
    return path


def _bench(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["bench", "forecast", *args])
    return result.exit_code, result.output


def test_a_monthly_panel_prints_the_promised_json(tmp_path: Path) -> None:
    csv = _write(tmp_path / "panel.csv", _rows(3, 60, dates=True))

    code, output = _bench("--csv", str(csv), "--horizon", "6", "--season", "12", "--json")

    assert code == 0, output
    figures = json.loads(output)
    assert KEYS | {"series", "threads", "baselines"} <= set(figures)
    assert figures["series"] == 3
    assert figures["threads"] == 1
    assert figures["model_season"] == 12  # read from the monthly dates
    assert figures["mase"] < figures["baselines"]["naive"]["mase"]
    assert 0 <= figures["coverage_80"] <= figures["coverage_95"] <= 1
    assert set(figures["baselines"]) == {"seasonal_naive", "naive"}


def test_a_gzipped_panel_with_integer_steps_is_read_too(tmp_path: Path) -> None:
    csv = _write(tmp_path / "panel.csv.gz", _rows(2, 40, dates=False))

    code, output = _bench("--csv", str(csv), "--horizon", "4", "--season", "12", "--json")

    assert code == 0, output
    figures = json.loads(output)
    assert figures["series"] == 2
    assert figures["model_season"] == 12  # integer steps: the model gets --season


def test_more_threads_give_the_same_figures_and_say_so(tmp_path: Path) -> None:
    csv = _write(tmp_path / "panel.csv", _rows(4, 30, dates=False))
    args = ("--csv", str(csv), "--horizon", "4", "--season", "12", "--json")

    one = json.loads(_bench(*args)[1])
    two = json.loads(_bench(*args, "--threads", "2")[1])

    assert (one["threads"], two["threads"]) == (1, 2)
    assert two["mase"] == one["mase"]
    assert two["coverage_80"] == one["coverage_80"]


def test_the_table_names_the_model_and_both_baselines(tmp_path: Path) -> None:
    csv = _write(tmp_path / "panel.csv", _rows(2, 40, dates=False))

    code, output = _bench("--csv", str(csv), "--horizon", "4", "--season", "12")

    assert code == 0, output
    for name in ("ets+theta", "seasonal naive", "naive", "MASE", "thread"):
        assert name in output


@pytest.mark.parametrize(
    ("rows", "sentence"),
    [
        (["unique_id,date,y", "a,1,2.0"], "lacks the column(s) ds"),
        (["unique_id,ds,y", *[f"a,{i},{i}" for i in range(5)]], "needs at least 7"),
        (
            ["unique_id,ds,y", "a,0,1", "a,1,two", *[f"a,{i},1" for i in range(2, 9)]],
            "not a number",
        ),
        (
            ["unique_id,ds,y", "a,monday,1", *[f"a,{i},1" for i in range(1, 9)]],
            "date or an integer",
        ),
        (["unique_id,ds,y", "a,0,1", *[f"a,{i},1" for i in range(9)]], "has ds 0 twice"),
    ],
)
def test_a_panel_that_cannot_be_scored_exits_2_with_a_sentence(
    tmp_path: Path, rows: list[str], sentence: str
) -> None:
    csv = _write(tmp_path / "bad.csv", rows)

    code, output = _bench("--csv", str(csv), "--horizon", "4", "--season", "1")

    assert code == 2
    assert sentence in " ".join(output.split())


def test_a_missing_file_exits_2(tmp_path: Path) -> None:
    code, output = _bench("--csv", str(tmp_path / "none.csv"), "--horizon", "4", "--season", "1")

    assert code == 2
    assert "does not exist" in output


def test_a_file_that_is_not_csv_exits_2(tmp_path: Path) -> None:
    binary = tmp_path / "panel.csv.gz"
    binary.write_bytes(b"\x1f\x8b not really gzip")

    code, output = _bench("--csv", str(binary), "--horizon", "4", "--season", "1")

    assert code == 2
    assert "is not a readable CSV" in output


def test_a_csv_without_its_horizon_and_season_exits_2(tmp_path: Path) -> None:
    csv = _write(tmp_path / "panel.csv", _rows(1, 20, dates=False))

    code, output = _bench("--csv", str(csv), "--json")

    assert code == 2
    assert "--csv needs --horizon and --season" in output
