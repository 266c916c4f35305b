"""One thread (or the configured few) for the numeric libraries inside a forecast run.

The run shares the machine with the web server and other workers, and threaded libraries on
shared cores can be many times slower than one thread (LightGBM once took 114 s instead of 8 s
with two threads on two busy cores). OpenMP reads its variables when it is loaded, so they are
set for libraries loaded later; threadpoolctl caps the BLAS and OpenMP pools already loaded.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMBA_NUM_THREADS",
)


@contextmanager
def limited_threads(threads: int) -> Iterator[None]:
    """Run the body with at most ``threads`` threads in BLAS and OpenMP pools."""
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    for variable in THREAD_VARIABLES:
        # An operator's explicit setting wins; otherwise libraries loaded later start capped.
        os.environ.setdefault(variable, str(threads))
    # LightGBM brings its own OpenMP runtime: loaded now, it is one of the pools capped below.
    import lightgbm  # noqa: F401

    with threadpool_limits(limits=threads):
        yield
