"""Forecast accuracy measures in the M4 competition's conventions (pure numpy).

MASE scales the absolute error by the in-sample mean absolute ``season``-step change of the
training data, so 1.0 means "as good as the seasonal naive forecast was in-sample"; sMAPE is
the M4 symmetric percentage (0 to 200); coverage is the share of actuals inside an interval.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

ArrayLike = Sequence[float] | np.ndarray


def mase(y_train: ArrayLike, y_test: ArrayLike, y_pred: ArrayLike, season: int) -> float:
    """Mean absolute scaled error; NaN when the training data never changes.

    A training series no longer than ``season`` is scaled by its one-step changes instead
    (the M4 convention for series shorter than a cycle).
    """
    train = np.asarray(y_train, dtype=float)
    lag = season if len(train) > season else 1
    if len(train) <= lag:
        raise ValueError("MASE needs at least two training points")
    scale = float(np.mean(np.abs(train[lag:] - train[:-lag])))
    if scale == 0:
        return float("nan")
    error = np.abs(np.asarray(y_test, dtype=float) - np.asarray(y_pred, dtype=float))
    return float(np.mean(error) / scale)


def smape(y_test: ArrayLike, y_pred: ArrayLike) -> float:
    """Symmetric MAPE in percent (0-200); a step where actual and forecast are both 0 counts 0."""
    actual = np.asarray(y_test, dtype=float)
    predicted = np.asarray(y_pred, dtype=float)
    denominator = np.abs(actual) + np.abs(predicted)
    ratio = np.divide(
        2 * np.abs(actual - predicted),
        denominator,
        out=np.zeros_like(denominator),
        where=denominator > 0,
    )
    return float(100 * np.mean(ratio))


def coverage(y_test: ArrayLike, lower: ArrayLike, upper: ArrayLike) -> float:
    """Share of actuals inside ``[lower, upper]`` (bounds included), in [0, 1]."""
    actual = np.asarray(y_test, dtype=float)
    inside = (actual >= np.asarray(lower, dtype=float)) & (actual <= np.asarray(upper, dtype=float))
    return float(np.mean(inside))
