"""The shape every series forecast takes (the model's and the baselines'), in one place."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np


@dataclass(frozen=True)
class SeriesForecast:
    """A point forecast and its prediction intervals, ``horizon`` steps past the data.

    ``lower[80]`` and ``upper[80]`` bound the central 80 % interval; ``model`` names what
    produced the forecast (``"ets+theta"``, ``"naive"``, ``"constant"``, with
    ``"+deseasonalized"`` when a long season was taken out first).
    """

    mean: np.ndarray
    lower: Mapping[int, np.ndarray]
    upper: Mapping[int, np.ndarray]
    model: str


def normal_quantile(level: int) -> float:
    """The standard normal quantile that bounds a central ``level`` % interval."""
    return NormalDist().inv_cdf(0.5 + level / 200)
