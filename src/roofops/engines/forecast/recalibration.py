"""Quantile recalibration of simulated date windows (Kuleshov, Fenner and Ermon 2018).

A model whose 80 % windows cover 88 % of the jobs is too wide. That shows in the **PIT** values
of the recent past: the level of each job's predicted distribution at which it actually
finished (for a calibrated model: uniform on [0, 1]). Recalibration maps a nominal level τ to
the empirical τ-quantile of those PITs, so "the 10th percentile" is read at the level below
which 10 % of the recent jobs finished. The mapping is monotone, so the windows stay ordered.

The median is left where the model puts it: moving it to the recent PITs' median chased the
last season (a quiet spring made the storm summer's dates 2.4 days early on one demo company,
docs/forecasting-completion.md), while the widths carried over.

Outcomes are dates and a window covers its first and last day, so a job's PIT is an interval:
from the predicted share of days *before* its finish day (``below``) to the share up to and
including it (``upper``). The window's first day misses a job only when even ``upper`` is under
the lower level; its last day, only when even ``below`` is over the upper level: so levels under
one half are read from the ``upper`` ends, those over one half from the ``below`` ends. A job
still open when the outcomes were read finishes on that day or later: its interval reaches 1.
With fewer PITs than ``min_points`` the mapping is the identity: a few jobs would only add
noise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

MIN_PIT_POINTS = 60


@dataclass(frozen=True)
class Pit:
    """One held-out job's PIT interval: the predicted shares of days before and up to its
    finish day."""

    below: float
    upper: float


@dataclass(frozen=True)
class Recalibration:
    """The PIT intervals of recent held-out jobs, and how many are needed to use them."""

    pits: tuple[Pit, ...]
    min_points: int = MIN_PIT_POINTS

    @property
    def active(self) -> bool:
        return len(self.pits) >= self.min_points

    def levels(self, nominal: Sequence[float] | np.ndarray) -> np.ndarray:
        """The level of the model's distribution to read for each nominal level
        (non-decreasing in the nominal level, one half kept; the identity when not active)."""
        wanted = np.asarray(nominal, dtype=float)
        if not self.active:
            return wanted
        low = np.minimum(np.quantile([pit.upper for pit in self.pits], wanted), 0.5)
        high = np.maximum(np.quantile([pit.below for pit in self.pits], wanted), 0.5)
        return np.where(wanted < 0.5, low, np.where(wanted > 0.5, high, 0.5))

    def apply(self, samples: np.ndarray) -> np.ndarray:
        """Samples of the recalibrated distribution: the model's samples read at the mapped
        levels of an even grid, so a quantile of the result is the recalibrated quantile."""
        if not self.active or len(samples) == 0:
            return samples
        grid = (np.arange(len(samples)) + 0.5) / len(samples)
        return np.asarray(np.quantile(samples, self.levels(grid)), dtype=float)


def day_pit(samples: np.ndarray, day: int, *, finished: bool) -> Pit:
    """The PIT interval of an outcome on day ``day`` (days from the origin, floored).

    ``finished``: the job finished that day; otherwise it was still open then (it finishes
    that day or later).
    """
    days = np.floor(samples)
    below = float(np.mean(days < day))
    return Pit(below, float(np.mean(days <= day)) if finished else 1.0)


def recalibration(pits: Sequence[Pit], *, min_points: int = MIN_PIT_POINTS) -> Recalibration:
    """A :class:`Recalibration` from PIT intervals."""
    return Recalibration(tuple(pits), min_points)
