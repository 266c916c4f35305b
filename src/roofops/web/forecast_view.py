"""What the forecast pages show, shaped from the stored run: metric tables with their
definitions, the completion windows (filtered, sorted), the charts per skill, revenue period and
trend measure, and the sentence that says what a job's window rests on."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from roofops.forecast.accuracy import PointCheck
from roofops.forecast.results import ForecastSeries, JobCompletionForecast, SeriesPoint, Unit
from roofops.forecast.service import forecast_service
from roofops.forecast.windows import JobWindow
from roofops.job.lifecycle import PIPELINE, PRODUCTION, SALES
from roofops.models.enums import JobStage
from roofops.models.forecast import ForecastRun, ForecastRunStatus
from roofops.models.job import Job
from roofops.web.charts import Chart, band_chart, format_value, period_label
from roofops.web.formatting import humanize, stage_label

# Every metric a run may carry, in the words its hover shows (docs/forecasting-pages.md).
METRIC_TERMS = {
    "mae_days": "Mean absolute error of the predicted finish (p50), in days, on held-out jobs.",
    "bias_days": "Mean of actual minus predicted finish, in days: positive means jobs finished "
    "later than predicted.",
    "median_abs_error_days": "Median absolute error of the predicted finish, in days.",
    "baseline_mae_days": "The same error for the baseline (median duration per job type).",
    "baseline_median_abs_error_days": "The baseline's median absolute error, in days.",
    "coverage_80": "Share of held-out outcomes inside their 80 % interval (p10-p90); "
    "75-85 % is calibrated.",
    "coverage_95": "Share of held-out outcomes inside their 95 % interval.",
    "c_index": "Concordance: how often the model orders two jobs' finishes correctly "
    "(0.5 is chance, 1 is perfect).",
    "jobs": "Held-out jobs scored in the backtest.",
    "censored": "Observations still open at the cut (censored): used, not thrown away.",
    "censored_share": "Share of the observations that were still open (censored).",
    "observations": "Stage durations the model learned from.",
    "open_jobs": "Open jobs at the run's date.",
    "predicted_jobs": "Open jobs that got a window.",
    "brier": "Brier score of the win probability on held-out estimates (lower is better).",
    "calibration_error": "Mean gap between predicted win probability and the observed win rate.",
    "base_rate_brier": "Brier score of always predicting the overall win rate: the model "
    "should score lower.",
    "mean_predicted": "Average predicted win probability of the held-out estimates.",
    "observed_rate": "Share of those estimates actually won.",
    "examples": "Held-out estimates scored.",
    "wape": "Weighted absolute percentage error: the sum of |actual - p50| over the sum of "
    "actuals, on held-out weeks.",
    "mape": "Mean absolute percentage error of the median, on held-out periods with an actual.",
    "bias_pct": "Sum of medians against the sum of actuals: negative means the forecast was low.",
    "points": "Held-out periods scored.",
    "mase": "Mean absolute scaled error against the seasonal naive forecast (below 1 beats it).",
    "smape": "Symmetric mean absolute percentage error.",
}
# A backtest repeated on months carries the same names with this prefix.
MONTHLY = "month_"
# Lead .. in production: the stages an open job can be forecast in, in pipeline order.
FORECAST_STAGES = [stage for stage in PIPELINE if stage in SALES | PRODUCTION]
SHARE_METRICS = {
    "coverage_80",
    "coverage_95",
    "censored_share",
    "wape",
    "mape",
    "bias_pct",
    "calibration_error",
    "mean_predicted",
    "observed_rate",
}
SIGNED_METRICS = {"bias_days", "bias_pct"}
DAY_METRICS = {name for name in METRIC_TERMS if name.endswith("_days")}


@dataclass(frozen=True)
class MetricCell:
    name: str
    value: str
    definition: str


@dataclass(frozen=True)
class ModelFigures:
    model: str
    kind: str  # "fit" (facts of the fit) or "backtest" (scored on held-out data)
    cells: tuple[MetricCell, ...]


def metric_value(name: str, value: float | None) -> str:
    base = name.removeprefix(MONTHLY)
    if value is None:
        return "—"
    sign = "+" if base in SIGNED_METRICS else ""
    if base in SHARE_METRICS:
        return f"{value * 100:{sign}.1f} %"
    if base in DAY_METRICS:
        return f"{value:{sign}.1f} d"
    return f"{value:,.3f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):,}"


def metric_definition(name: str) -> str:
    base = name.removeprefix(MONTHLY)
    definition = METRIC_TERMS.get(base, "As the model reported it.")
    return f"{definition} By month." if base != name else definition


def model_figures(stored: Sequence[Mapping[str, Any]]) -> list[ModelFigures]:
    """A run's stored metrics (``forecast_runs.metrics``), one block per model and kind."""
    return [
        ModelFigures(
            model=str(entry.get("model", "")),
            kind=str(entry.get("kind", "backtest")),
            cells=tuple(
                MetricCell(
                    humanize(name),
                    metric_value(name, value),
                    metric_definition(name),
                )
                for name, value in dict(entry.get("metrics", {})).items()
            ),
        )
        for entry in stored
    ]


# The backtest figures the accuracy page follows run by run: (model, metric, column heading).
BACKTEST_COLUMNS = (
    ("completion", "coverage_80", "Completion inside 80 %"),
    ("completion", "mae_days", "Completion MAE"),
    ("completion", "bias_days", "Completion bias"),
    ("completion", "c_index", "C-index"),
    ("demand", "coverage_80", "Demand inside 80 %"),
    ("revenue", "coverage_80", "Revenue inside 80 %"),
    ("win_probability", "brier", "Win probability Brier"),
)


@dataclass(frozen=True)
class BacktestRow:
    as_of: date
    trigger: str
    values: tuple[str, ...]


def backtest_headings() -> list[tuple[str, str]]:
    """Each column's heading and its definition (the hover)."""
    return [(heading, METRIC_TERMS[metric]) for _, metric, heading in BACKTEST_COLUMNS]


def backtest_rows(runs: Iterable[ForecastRun]) -> list[BacktestRow]:
    """Succeeded runs with the backtest figures each stored (a dash where a model had none)."""
    rows = []
    for run in runs:
        if run.status != ForecastRunStatus.SUCCEEDED:
            continue
        stored = {
            (str(entry.get("model")), name): value
            for entry in run.metrics
            if entry.get("kind", "backtest") == "backtest"
            for name, value in dict(entry.get("metrics", {})).items()
        }
        values = tuple(
            metric_value(metric, stored.get((model, metric)))
            for model, metric, _ in BACKTEST_COLUMNS
        )
        rows.append(BacktestRow(run.as_of, run.trigger.value, values))
    return rows


# ----- completion windows ---------------------------------------------------------------------
SORTS = {
    "finish": lambda w: (w.forecast.finish.p50, w.number),
    # A job in production has started: it sorts before every predicted start.
    "start": lambda w: (w.forecast.start.p50 if w.forecast.start else date.min, w.number),
    "number": lambda w: (w.number,),
    "days": lambda w: (-w.forecast.days_in_stage, w.number),
    "width": lambda w: (-(w.forecast.finish.p90 - w.forecast.finish.p10).days, w.number),
}


@dataclass(frozen=True)
class CompletionQuery:
    stage: str = ""
    job_type: str = ""
    sort: str = "finish"

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> CompletionQuery:
        sort = params.get("sort", "finish")
        return cls(
            stage=params.get("stage", ""),
            job_type=params.get("job_type", ""),
            sort=sort if sort in SORTS else "finish",
        )

    def apply(self, windows: Iterable[JobWindow]) -> list[JobWindow]:
        kept = [
            window
            for window in windows
            if (not self.stage or window.forecast.stage.value == self.stage)
            and (not self.job_type or window.job_type.value == self.job_type)
        ]
        return sorted(kept, key=SORTS[self.sort])


def basis_sentence(forecast: JobCompletionForecast) -> str:
    """What the window rests on, in one sentence: the comparable jobs, the stage and its days,
    the backlog and the crew, the season, the recent jobs the window was recalibrated on, and
    the condition (winning the job) if any."""
    basis = forecast.basis
    days = forecast.days_in_stage
    where = (
        "in production"
        if forecast.stage == JobStage.IN_PRODUCTION
        else f"in {stage_label(forecast.stage)}"
    )
    parts = [f"{where} for {days} day{'' if days == 1 else 's'}"]
    if basis.get("similar_jobs") is not None:
        parts.insert(0, f"based on {basis['similar_jobs']} similar jobs")
    if basis.get("backlog_jobs_per_crew") is not None:
        parts.append(f"backlog {basis['backlog_jobs_per_crew']} jobs per crew")
    if basis.get("crew_capacity_squares_per_day") is not None:
        parts.append(f"crew capacity {basis['crew_capacity_squares_per_day']} squares a day")
    if basis.get("season"):
        parts.append(f"{basis['season']} season")
    if basis.get("calibration"):
        parts.append(str(basis["calibration"]))  # e.g. "calibrated on 201 recent jobs"
    sentence = "; ".join(parts)
    if basis.get("conditional_on"):
        sentence += f" (if {str(basis['conditional_on']).removeprefix('if ')})"
    return sentence[:1].upper() + sentence[1:] + "."


def forecast_window_context(db: Session, job: Job) -> dict[str, Any]:
    """The job page's "Predicted start / completion" block: shown for open jobs only (a
    completed job's finish is a fact); anyone who may view the job sees it."""
    if job.stage not in FORECAST_STAGES:
        return {"forecast_open": False}
    forecast = forecast_service.job_window(db, job.id)
    return {
        "forecast_open": True,
        "forecast": forecast,
        "forecast_basis": basis_sentence(forecast) if forecast else "",
        "forecast_facts": basis_facts(forecast) if forecast else [],
    }


def basis_facts(forecast: JobCompletionForecast) -> list[tuple[str, str]]:
    """Every basis entry as a (label, value) pair, for the details list under the sentence."""
    return [
        (humanize(key), humanize(str(value)) if isinstance(value, str) else str(value))
        for key, value in forecast.basis.items()
        if value is not None
    ]


# ----- charts ---------------------------------------------------------------------------------
def _flagged(*names: str) -> Callable[[SeriesPoint], bool]:
    """A point is flagged when any of these components is true (shortfall, idle, anomaly)."""
    return lambda point: any(bool(point.components.get(name)) for name in names)


DEMAND_COMPONENTS = ("scheduled", "signed", "pipeline", "unsold")
REVENUE_COMPONENTS = ("backlog", "pipeline", "run_rate")


@dataclass(frozen=True)
class Panel:
    """A chart and the table of what its median is made of."""

    chart: Chart
    components: ComponentTable


def demand_panels(series: Sequence[ForecastSeries], unit: str = "crew_hours") -> list[Panel]:
    """Per skill: demand's band against capacity, shortfall and idle weeks flagged."""
    by_key = {s.key: s for s in series}
    demand = sorted((s for s in series if s.key.startswith(f"demand.{unit}.")), key=lambda s: s.key)
    return [
        Panel(
            band_chart(
                _chart_id(s.key),
                s,
                capacity=by_key.get(s.key.replace("demand.", "capacity.", 1)),
                flag=_flagged("shortfall", "idle"),
                flag_label="Shortfall or idle",
            ),
            component_table(s, DEMAND_COMPONENTS),
        )
        for s in demand
    ]


def revenue_panels(series: Sequence[ForecastSeries]) -> list[Panel]:
    """Weekly revenue first, then monthly; nothing is flagged on revenue."""
    ordered = sorted(series, key=lambda s: s.key != "revenue.week")
    return [
        Panel(band_chart(_chart_id(s.key), s), component_table(s, REVENUE_COMPONENTS))
        for s in ordered
    ]


def trend_charts(series: Sequence[ForecastSeries]) -> list[Chart]:
    """A chart per measure: actuals, the decomposition's trend, the one-step-ahead band and
    its anomalies."""
    return [
        band_chart(
            _chart_id(s.key),
            s,
            flag=_flagged("anomaly"),
            flag_label="Anomaly",
            trend=_trend_component,
        )
        for s in series
    ]


def _trend_component(point: SeriesPoint) -> float | None:
    value = point.components.get("trend")
    return float(value) if isinstance(value, int | float) else None


@dataclass(frozen=True)
class TrendRow:
    """A measure's latest complete month: the figure, seasonally adjusted, its YoY change,
    and the months of the last year flagged as anomalies."""

    label: str
    definition: str
    month: str
    actual: str
    adjusted: str
    yoy: str
    anomalies: tuple[str, ...]
    partial: bool


# The trends page's order: the funnel (leads, sales) first, then money, then time.
TREND_ORDER = (
    "trend.leads",
    "trend.sales",
    "trend.sales_value",
    "trend.revenue",
    "trend.margin",
    "trend.cycle_days",
)


def in_trend_order(series: Iterable[ForecastSeries]) -> list[ForecastSeries]:
    rank = {key: i for i, key in enumerate(TREND_ORDER)}
    return sorted(series, key=lambda s: (rank.get(s.key, len(rank)), s.key))


def trend_rows(series: Sequence[ForecastSeries]) -> list[TrendRow]:
    return [_trend_row(s) for s in series if s.points]


def _trend_row(series: ForecastSeries) -> TrendRow:
    last = series.points[-1]
    adjusted = last.components.get("seasonally_adjusted")
    return TrendRow(
        label=series.label,
        definition=series.definition,
        month=period_label(last.period_start, series.period),
        actual=format_value(last.actual, series.unit),
        adjusted=format_value(
            float(adjusted) if isinstance(adjusted, int | float) else None, series.unit
        ),
        yoy=_yoy_text(last.components.get("yoy_pct"), series.unit),
        anomalies=tuple(
            period_label(p.period_start, series.period)
            for p in series.points[-12:]
            if p.components.get("anomaly")
        ),
        partial=bool(last.components.get("partial")),
    )


def _yoy_text(value: object, unit: Unit) -> str:
    """A margin changes by percentage points; every other measure by a percentage of itself."""
    if not isinstance(value, int | float):
        return "—"
    return f"{value:+.1f} pp" if unit == Unit.PERCENT else f"{value:+.1f} %"


@dataclass(frozen=True)
class ComponentTable:
    """A series' p50 broken into its sources, per period (the components the model stored)."""

    title: str
    names: tuple[str, ...]
    rows: tuple[tuple[str, tuple[str, ...]], ...]


def component_table(series: ForecastSeries, names: Sequence[str]) -> ComponentTable:
    present = tuple(n for n in names if any(n in p.components for p in series.points))
    rows = tuple(
        (
            period_label(point.period_start, series.period),
            tuple(_component(point, name, series) for name in present),
        )
        for point in series.points
    )
    return ComponentTable(series.label, present, rows)


def _component(point: SeriesPoint, name: str, series: ForecastSeries) -> str:
    value = point.components.get(name)
    return format_value(float(value), series.unit) if isinstance(value, int | float) else "—"


# ----- forecast vs actual ----------------------------------------------------------------
@dataclass(frozen=True)
class SeriesAccuracy:
    """One series' checked points across past runs, and the points themselves, formatted."""

    label: str
    checked: int
    inside_share: str
    median_abs_pct_error: str
    rows: tuple[tuple[str, str, str, str, str, str], ...]


def series_accuracy(
    checks: Sequence[PointCheck], series: Sequence[ForecastSeries]
) -> list[SeriesAccuracy]:
    """Checks grouped by series, in the series' own label and unit (from the latest run)."""
    known = {s.key: s for s in series}
    grouped: dict[str, list[PointCheck]] = {}
    for check in checks:
        grouped.setdefault(check.series_key, []).append(check)
    return [_series_accuracy(key, items, known.get(key)) for key, items in sorted(grouped.items())]


def _series_accuracy(
    key: str, checks: list[PointCheck], series: ForecastSeries | None
) -> SeriesAccuracy:
    unit = series.unit if series else Unit.COUNT
    period = series.period if series else "week"
    inside = [c.inside for c in checks if c.inside is not None]
    errors = [c.abs_pct_error for c in checks if c.abs_pct_error is not None]
    return SeriesAccuracy(
        label=series.label if series else key,
        checked=len(checks),
        inside_share=f"{sum(inside) / len(inside) * 100:.0f} %" if inside else "—",
        median_abs_pct_error=f"{statistics.median(errors):.1f} %" if errors else "—",
        rows=tuple(
            (
                period_label(c.period_start, period),
                format_value(c.p10, unit),
                format_value(c.p50, unit),
                format_value(c.p90, unit),
                format_value(c.actual, unit),
                "—" if c.inside is None else ("yes" if c.inside else "no"),
            )
            for c in checks
        ),
    )


def _chart_id(key: str) -> str:
    return "chart-" + key.replace(".", "-").replace("_", "-")
