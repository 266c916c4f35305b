"""roofops bench completion: the completion model's rolling-origin backtest on the demo company.

At each origin the model is fitted on what was known then; the jobs signed but not finished then
are predicted and scored against the later history (still open at the end: censored, counted in
the C-index only). The configured database is used when it holds stage history; otherwise a demo
company is generated into a temporary SQLite file (the stage history is all the model reads).
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Any

from roofops.forecast.completion import run_backtest
from roofops.forecast.history import History, load_history

THREADS = 1
DEMO_AS_OF = date(2025, 6, 1)
DEMO_SEED = 42
KEYS = ("mae_days", "bias_days", "coverage_80", "coverage_95", "c_index", "baseline_mae_days")
EXTRA_KEYS = (
    "median_abs_error_days",
    "baseline_median_abs_error_days",
    "jobs",
    "completed",
    "censored",
    "origins",
)


def run_completion_bench(
    *, origins: int, seed: int, size: float, database_url: str | None, scratch: Path
) -> dict[str, Any]:
    """The backtest's figures, the database they came from, threads and CPU seconds."""
    # scikit-learn's dependency, untyped; it caps the BLAS pools lifelines' fits run on.
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    from roofops.forecast.completion import default_origins, history_end

    history, source = _history(database_url, size, scratch)
    started = time.process_time()
    with threadpool_limits(limits=THREADS):
        metrics = run_backtest(
            history, origins=default_origins(history_end(history), origins), seed=seed
        )
    figures: dict[str, Any] = {key: metrics.metrics.get(key) for key in (*KEYS, *EXTRA_KEYS)}
    figures |= {
        "first_origin": metrics.detail.get("first_origin"),
        "last_origin": metrics.detail.get("last_origin"),
        "database": source,
        "threads": THREADS,
        "cpu_seconds": round(time.process_time() - started, 2),
    }
    return figures


def _history(database_url: str | None, size: float, scratch: Path) -> tuple[History, str]:
    """The stage history of the given (or configured) database, else of a generated demo."""
    from sqlalchemy.exc import SQLAlchemyError

    from roofops.db import session_scope

    try:
        with session_scope(database_url) as db:
            history = load_history(db)
    except SQLAlchemyError:  # no database, or not migrated: the demo stands in
        history = History((), {}, ())
    if history.moves:
        return history, "configured"
    return _demo_history(size, scratch), f"demo (size {size:g}, seed {DEMO_SEED}, {DEMO_AS_OF})"


def _demo_history(size: float, scratch: Path) -> History:
    from roofops import schema
    from roofops.db import session_factory
    from roofops.demo.generator import generate
    from roofops.demo.service import demo_service

    url = f"sqlite:///{scratch / 'bench-completion.db'}"
    schema.upgrade(url)
    with session_factory(url).begin() as db:
        demo_service.insert_rows(db, generate(size, DEMO_SEED, DEMO_AS_OF))
        return load_history(db)
