"""The probability that an open lead or estimate is won (reaches ``contract_signed``).

A logistic regression on one-hot features known at the time (job type, insured, stage, days in
stage bucketed, sales rep, month), calibrated with Platt scaling (``CalibratedClassifierCV``,
sigmoid, 3 folds); isotonic needs more decided jobs than a small company has. With too few
decided jobs, or only one outcome among them, the model is the observed win rate (a constant).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

# Days in stage, bucketed so the model sees "fresh", "waiting", "stale".
DAY_BUCKETS = (3, 7, 14, 30, 60)
MIN_TRAINING_ROWS = 30
CALIBRATION_BINS = 10


@dataclass(frozen=True)
class WinFeatures:
    """What was known of an open lead or estimate at one moment."""

    job_type: str
    insured: bool
    stage: str
    days_in_stage: int
    rep: str
    month: int


@dataclass(frozen=True)
class WinExample:
    features: WinFeatures
    won: bool


@dataclass(frozen=True)
class WinModel:
    """A fitted model: ``pipeline`` is the scikit-learn estimator, or None for the base rate."""

    base_rate: float
    training_rows: int
    pipeline: Any = None

    def predict(self, rows: Sequence[WinFeatures]) -> np.ndarray:
        """Probabilities in [0, 1], one per row."""
        if not rows:
            return np.zeros(0)
        if self.pipeline is None:
            return np.full(len(rows), self.base_rate)
        return np.asarray(self.pipeline.predict_proba(_matrix(rows))[:, 1], dtype=float)


def _bucket(days: int) -> str:
    for limit in DAY_BUCKETS:
        if days < limit:
            return f"<{limit}"
    return f">={DAY_BUCKETS[-1]}"


def _matrix(rows: Sequence[WinFeatures]) -> list[dict[str, str]]:
    return [
        {
            "job_type": row.job_type,
            "insured": str(row.insured),
            "stage": row.stage,
            "days": _bucket(row.days_in_stage),
            "stage_days": f"{row.stage}:{_bucket(row.days_in_stage)}",
            "rep": row.rep,
            "month": str(row.month),
        }
        for row in rows
    ]


def fit_win_model(examples: Sequence[WinExample], *, seed: int = 0) -> WinModel:
    """Fit on decided examples (won, or lost/cancelled before signing)."""
    labels = np.array([example.won for example in examples], dtype=int)
    base_rate = float(labels.mean()) if labels.size else 0.5
    if labels.size < MIN_TRAINING_ROWS or labels.min() == labels.max():
        return WinModel(base_rate, int(labels.size))
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    classifier = LogisticRegression(C=0.5, max_iter=500, random_state=seed)
    calibrated = CalibratedClassifierCV(classifier, method="sigmoid", cv=3)
    pipeline = make_pipeline(DictVectorizer(sparse=True), calibrated)
    pipeline.fit(_matrix([example.features for example in examples]), labels)
    return WinModel(base_rate, int(labels.size), pipeline)


def brier_score(probabilities: np.ndarray, outcomes: np.ndarray) -> float:
    return float(np.mean((probabilities - outcomes) ** 2))


def calibration_error(probabilities: np.ndarray, outcomes: np.ndarray) -> float:
    """Expected calibration error: per probability decile, |mean predicted - observed rate|,
    weighted by the share of rows in it."""
    bins = np.minimum((probabilities * CALIBRATION_BINS).astype(int), CALIBRATION_BINS - 1)
    error = 0.0
    for index in np.unique(bins):
        inside = bins == index
        error += inside.mean() * abs(probabilities[inside].mean() - outcomes[inside].mean())
    return float(error)
