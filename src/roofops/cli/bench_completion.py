"""roofops bench completion: the completion model's rolling-origin backtest on the demo company.

At each origin the model is fitted on what was known then; the jobs signed but not finished then
are predicted and scored against the later history (still open at the end: censored, counted in
the C-index only). The configured database is used when it holds stage history; otherwise a demo
company is generated into a temporary SQLite file (the stage history is all the model reads):
by default the one `make demo` builds (seed 42, as of today UTC).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from roofops.forecast.completion import run_backtest
from roofops.forecast.history import History, load_history

THREADS = 1
KEYS = ("mae_days", "bias_days", "coverage_80", "coverage_95", "c_index", "baseline_mae_days")
EXTRA_KEYS = (
    "median_abs_error_days",
    "baseline_median_abs_error_days",
    "jobs",
    "completed",
    "censored",
    "origins",
    "calibration_jobs_per_origin",
)


@dataclass(frozen=True)
class DemoChoice:
    """The demo company generated when the database holds no history."""

    size: float
    seed: int
    as_of: date


def run_completion_bench(
    *,
    origins: int,
    seed: int,
    demo: DemoChoice,
    database_url: str | None,
    scratch: Path,
    calibrated: bool = True,
) -> dict[str, Any]:
    """The backtest's figures, the database they came from, threads and CPU seconds."""
    # scikit-learn's dependency, untyped; it caps the BLAS pools lifelines' fits run on.
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    from roofops.forecast.completion import default_origins, history_end

    history, source = _history(database_url, demo, scratch)
    started = time.process_time()
    with threadpool_limits(limits=THREADS):
        metrics = run_backtest(
            history,
            origins=default_origins(history_end(history), origins),
            seed=seed,
            calibrated=calibrated,
        )
    figures: dict[str, Any] = {key: metrics.metrics.get(key) for key in (*KEYS, *EXTRA_KEYS)}
    figures |= {
        "first_origin": metrics.detail.get("first_origin"),
        "last_origin": metrics.detail.get("last_origin"),
        "database": source,
        "calibrated": calibrated,
        "threads": THREADS,
        "cpu_seconds": round(time.process_time() - started, 2),
    }
    return figures


def _history(database_url: str | None, demo: DemoChoice, scratch: Path) -> tuple[History, str]:
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
    source = f"demo (size {demo.size:g}, seed {demo.seed}, {demo.as_of})"
    return _demo_history(demo, scratch), source


def _demo_history(demo: DemoChoice, scratch: Path) -> History:
    from roofops import schema
    from roofops.db import session_factory
    from roofops.demo.generator import generate
    from roofops.demo.service import demo_service

    url = f"sqlite:///{scratch / 'bench-completion.db'}"
    schema.upgrade(url)
    with session_factory(url).begin() as db:
        demo_service.insert_rows(db, generate(demo.size, demo.seed, demo.as_of))
        return load_history(db)
