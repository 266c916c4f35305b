"""What a forecast run produces, in plain frozen dataclasses: the one shape the parts share.

The completion model, the projections (demand, revenue), the trends and the series backtests
each return these; the run service stores them (``forecast_runs``, ``job_forecasts``,
``forecast_points``) and the pages and API read them back. Nothing here touches the database.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from roofops.kit.types import StrEnum
from roofops.models.enums import JobStage

Period = Literal["week", "month"]
JsonScalar = str | int | float | bool | None


class Unit(StrEnum):
    """What a series' values count; the pages format by it."""

    CREW_HOURS = "crew_hours"
    CREW_DAYS = "crew_days"
    CENTS = "cents"
    COUNT = "count"
    DAYS = "days"
    PERCENT = "percent"


@dataclass(frozen=True)
class DateBand:
    """The 10th, 50th and 90th percentile of a predicted date: an 80 % window around the median."""

    p10: date
    p50: date
    p90: date

    def __post_init__(self) -> None:
        if not self.p10 <= self.p50 <= self.p90:
            raise ValueError(f"quantiles out of order: {self.p10} {self.p50} {self.p90}")


@dataclass(frozen=True)
class JobCompletionForecast:
    """When one open job will start and finish, and what the prediction rests on.

    ``start`` is None once the job is in production (its start is a fact, not a forecast).
    ``basis`` is JSON-able and human-readable: the stage and days in it, job type, season,
    backlog, crew capacity, how many comparable jobs the model learned from.
    """

    job_id: uuid.UUID
    stage: JobStage
    days_in_stage: int
    start: DateBand | None
    finish: DateBand
    basis: Mapping[str, JsonScalar] = field(default_factory=dict)


@dataclass(frozen=True)
class SeriesPoint:
    """One period of a series: a p10/p50/p90 band for the future, ``actual`` for the past.

    ``components`` breaks a figure into its sources (scheduled, signed, pipeline, unsold;
    or trend, seasonal, remainder) and carries flags such as ``anomaly`` or ``shortfall``.
    """

    period_start: date
    p10: float | None = None
    p50: float | None = None
    p90: float | None = None
    actual: float | None = None
    components: Mapping[str, JsonScalar] = field(default_factory=dict)


@dataclass(frozen=True)
class ForecastSeries:
    """A named series. ``key`` is dotted: ``demand.crew_hours.<skill>``, ``capacity.crew_hours.
    <skill>``, ``revenue.week``, ``revenue.month``, ``trend.<measure>`` and so on.

    ``definition`` is the one sentence a page shows on hover; ``source`` says where the
    figures came from (schedule, invoices, stage history, model).
    """

    key: str
    label: str
    unit: Unit
    period: Period
    points: tuple[SeriesPoint, ...]
    definition: str
    source: str


@dataclass(frozen=True)
class ModelMetrics:
    """A model's backtest figures for one run, stored with it: ``{"mae_days": 6.1, ...}``."""

    model: str
    metrics: Mapping[str, float]
    detail: Mapping[str, JsonScalar] = field(default_factory=dict)
