"""roofops bench projections: the demand, revenue and win-probability backtest on the demo company.

Builds the demo company in a fresh SQLite file (or reuses the one a given database holds), then
runs :func:`roofops.forecast.projections.backtest_projections` over rolling origins with one
thread for every threaded library.
"""

from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

BENCH_AS_OF = date(2025, 6, 2)  # a Monday: three years of history end here
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMBA_NUM_THREADS",
)


def one_thread() -> int:
    """Pin BLAS/OpenMP/numba to one thread (before they load); the thread count used."""
    for name in THREAD_VARIABLES:
        os.environ.setdefault(name, "1")
    return int(os.environ["OMP_NUM_THREADS"])


def run_projections_bench(
    *,
    size: float,
    origins: int,
    seed: int,
    database_url: str | None,
    scratch: Path,
    as_of: date | None = None,
) -> dict[str, Any]:
    threads = one_thread()
    from roofops import schema
    from roofops.db import session_scope
    from roofops.demo.service import demo_service
    from roofops.forecast.projection_backtest import default_origins
    from roofops.forecast.projection_inputs import load_history
    from roofops.forecast.projections import backtest_projections

    url = database_url or f"sqlite:///{scratch / 'bench.db'}"
    schema.upgrade(url)
    started = time.perf_counter()
    with session_scope(url) as db:
        demo_service.build(db, size=size, seed=seed, as_of=as_of or BENCH_AS_OF)
    built, cpu = time.perf_counter(), time.process_time()
    with session_scope(url) as db:
        chosen = default_origins(load_history(db), origins)
        metrics = backtest_projections(db, origins=chosen, seed=seed)
    figures: dict[str, Any] = {m.model: dict(m.metrics) for m in metrics}
    return {
        **figures,
        "origins": [origin.isoformat() for origin in chosen],
        "size": size,
        "as_of": (as_of or BENCH_AS_OF).isoformat(),
        "threads": threads,
        "build_seconds": round(built - started, 1),
        "backtest_seconds": round(time.perf_counter() - built, 1),
        "backtest_cpu_seconds": round(time.process_time() - cpu, 1),
    }


def print_projections(console: Console, figures: dict[str, Any]) -> None:
    from rich.table import Table

    table = Table(title=f"Projections backtest: demo size {figures['size']:g}")
    for column in ("model", "80 % coverage", "95 % coverage", "WAPE", "MAPE", "points"):
        table.add_column(column, justify="right")
    for name, prefix in (("demand", ""), ("revenue", ""), ("revenue", "month_")):
        row = figures.get(name, {})
        if f"{prefix}points" in row:
            table.add_row(
                f"{name} ({'month' if prefix else 'week'})",
                f"{row[f'{prefix}coverage_80']:.1%}",
                f"{row[f'{prefix}coverage_95']:.1%}",
                f"{row[f'{prefix}wape']:.1%}",
                f"{row[f'{prefix}mape']:.1%}",
                f"{row[f'{prefix}points']:.0f}",
            )
    console.print(table)
    win = figures.get("win_probability", {})
    if win:
        console.print(
            f"win probability: Brier {win['brier']:.3f} (base rate {win['base_rate_brier']:.3f}), "
            f"calibration error {win['calibration_error']:.3f}, {win['examples']:.0f} estimates"
        )
    console.print(
        f"origins {', '.join(figures['origins'])}; threads {figures['threads']}; "
        f"build {figures['build_seconds']} s, backtest {figures['backtest_seconds']} s"
    )
