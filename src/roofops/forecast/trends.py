"""Monthly trends of the business: leads, sales, revenue, margin and cycle time, each decomposed
(trend, seasonal, remainder), grown year over year and checked for anomalous months.

Reads only. Months run up to the last complete month before ``as_of``: the month in progress is
partial and never shown as a figure. A margin counts only jobs whose figures are final
(financials.figures.margin_kind); a month whose completed jobs are not all final yet is marked
partial and is not judged an anomaly.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from roofops.engines.forecast.trends import TrendAnalysis, analyse_trend
from roofops.financials.figures import margin_kind
from roofops.forecast.results import ForecastSeries, JsonScalar, SeriesPoint, Unit
from roofops.forecast.trend_repository import Completion, Signing, TrendRepository
from roofops.models.enums import MarginKind

# Four years is enough for two seasons of STL and a year of YoY; older months change nothing.
MONTHS_BACK = 48


@dataclass(frozen=True)
class _Measure:
    key: str
    label: str
    unit: Unit
    definition: str
    source: str
    values: list[float | None]
    partial: list[bool] = field(default_factory=list)
    detail: list[dict[str, JsonScalar]] = field(default_factory=list)
    yoy_as_difference: bool = False


def compute_trends(db: Session, as_of: date) -> tuple[ForecastSeries, ...]:
    """The trend series ``trend.leads``, ``trend.sales``, ``trend.sales_value``,
    ``trend.revenue``, ``trend.margin`` and ``trend.cycle_days``, one point per complete month."""
    months = _months_before(as_of)
    repository = TrendRepository(db)
    first, end = _at_midnight(months[0]), _at_midnight(_next_month(months[-1]))
    measures = [
        _leads(months, repository.lead_dates(first, end)),
        *_sales(months, repository.signings(first, end)),
        _revenue(
            months,
            repository.invoices(months[0], _next_month(months[-1])),
            repository.invoiced_elsewhere(first, end),
        ),
        *_completed(months, repository.completions(first, end), as_of),
    ]
    start = _first_active_month(measures)
    return tuple(_series(measure, months, start) for measure in measures)


def _leads(months: list[date], dates: Iterable[datetime]) -> _Measure:
    counts = _bucket(months, ((on, 1.0) for on in dates), sum)
    return _Measure(
        "trend.leads",
        "Leads",
        Unit.COUNT,
        "New leads per month: jobs by the date of their first recorded stage event "
        "(their creation when they have none).",
        "Job stage history",
        [value or 0.0 for value in counts],
    )


def _sales(months: list[date], rows: Sequence[Signing]) -> list[_Measure]:
    counts = _bucket(months, ((row.on, 1.0) for row in rows), sum)
    values = _bucket(months, ((row.on, float(row.contract_cents or 0)) for row in rows), sum)
    source = "Job stage history (first move to contract signed) and the job's contract amount"
    return [
        _Measure(
            "trend.sales",
            "Sales (contracts signed)",
            Unit.COUNT,
            "Contracts signed per month: jobs by the date they first moved to contract signed.",
            source,
            [value or 0.0 for value in counts],
        ),
        _Measure(
            "trend.sales_value",
            "Sales value",
            Unit.CENTS,
            "Contract amount of the jobs signed that month (a job with no amount counts 0).",
            source,
            [value or 0.0 for value in values],
        ),
    ]


def _revenue(
    months: list[date], invoices: Iterable[tuple[date, int]], elsewhere: Sequence[Signing]
) -> _Measure:
    issued = [(_at_midnight(on), float(cents)) for on, cents in invoices]
    billed = [(row.on, float(row.contract_cents or 0)) for row in elsewhere]
    totals = _bucket(months, [*issued, *billed], sum)
    from_stage = _bucket(months, ((on, 1.0) for on, _ in billed), sum)
    return _Measure(
        "trend.revenue",
        "Revenue (invoiced)",
        Unit.CENTS,
        "Invoiced revenue per month: invoice totals by issue date (voided ones excluded); a "
        "job billed outside roofops (no invoice here) counts its contract amount on the day "
        "it moved to Invoiced.",
        "Invoices, and job stage history with contract amounts for jobs billed elsewhere",
        [value or 0.0 for value in totals],
        detail=[{"jobs_billed_elsewhere": int(count or 0)} for count in from_stage],
    )


def _completed(months: list[date], rows: Sequence[Completion], as_of: date) -> list[_Measure]:
    return [_margin(months, rows, as_of), _cycle_days(months, rows)]


def _margin(months: list[date], rows: Sequence[Completion], as_of: date) -> _Measure:
    now = _at_midnight(as_of)
    final = [row for row in rows if _is_final(row, now)]
    margins = _bucket(
        months, ((row.on, float(row.actual_margin or 0) * 100) for row in final), _mean
    )
    final_count = _bucket(months, ((row.on, 1.0) for row in final), sum)
    all_count = _bucket(months, ((row.on, 1.0) for row in rows), sum)
    detail: list[dict[str, JsonScalar]] = [
        {"final_jobs": int(done or 0), "open_jobs": int((total or 0) - (done or 0))}
        for done, total in zip(final_count, all_count, strict=True)
    ]
    return _Measure(
        "trend.margin",
        "Margin of completed jobs",
        Unit.PERCENT,
        "Average actual margin, (revenue - costs) / revenue, of the jobs completed that month "
        "whose figures are final (paid, or invoiced 30 days ago with costs in). A month with "
        "completed jobs not yet final is partial.",
        "Job financials (actual margin), job stage history",
        margins,
        partial=[item["open_jobs"] != 0 for item in detail],
        detail=detail,
        yoy_as_difference=True,
    )


def _cycle_days(months: list[date], rows: Sequence[Completion]) -> _Measure:
    days = (
        (row.on, float((row.on - row.signed_on).total_seconds() / 86400))
        for row in rows
        if row.signed_on is not None
    )
    return _Measure(
        "trend.cycle_days",
        "Cycle time, signing to completion",
        Unit.DAYS,
        "Median days from contract signed to completed, of the jobs completed that month.",
        "Job stage history",
        _bucket(months, days, statistics.median),
    )


def _is_final(row: Completion, now: datetime) -> bool:
    kind = margin_kind(row.stage, row.stage_changed_at, row.cost_to_date_cents, now)
    return kind == MarginKind.ACTUAL and row.actual_margin is not None


def _series(measure: _Measure, months: list[date], start: int) -> ForecastSeries:
    partial = measure.partial or [False] * len(months)
    analysis = analyse_trend(
        measure.values[start:],
        judged=[not flag for flag in partial[start:]],
        yoy_as_difference=measure.yoy_as_difference,
        floor=None if measure.unit == Unit.PERCENT else 0.0,
    )
    detail = measure.detail or [{} for _ in months]
    points = tuple(
        _point(month, analysis, i, partial[start + i], detail[start + i])
        for i, month in enumerate(months[start:])
    )
    return ForecastSeries(
        key=measure.key,
        label=measure.label,
        unit=measure.unit,
        period="month",
        points=points,
        definition=measure.definition,
        source=f"{measure.source}; {analysis.decomposition} decomposition, "
        f"{analysis.interval_model} band",
    )


def _point(
    month: date, analysis: TrendAnalysis, i: int, partial: bool, detail: dict[str, JsonScalar]
) -> SeriesPoint:
    if not analysis.points:  # nothing measured at all (no final margin yet): the flags remain
        return SeriesPoint(month, components={"anomaly": False, "partial": partial, **detail})
    point = analysis.points[i]
    components: dict[str, JsonScalar] = {
        "trend": point.trend,
        "seasonal": point.seasonal,
        "remainder": point.remainder,
        "seasonally_adjusted": point.seasonally_adjusted,
        "yoy_pct": point.yoy_pct,
        "anomaly": point.anomaly,
        "partial": partial,
        **detail,
    }
    return SeriesPoint(
        period_start=month,
        p10=point.p10,
        p50=point.p50,
        p90=point.p90,
        actual=point.actual,
        components=components,
    )


def _bucket(
    months: list[date],
    items: Iterable[tuple[datetime, float]],
    combine: Callable[[list[float]], float],
) -> list[float | None]:
    """Per month, ``combine`` of the values dated in it; None for a month with none."""
    grouped: dict[date, list[float]] = defaultdict(list)
    for on, value in items:
        grouped[_month_of(on)].append(value)
    return [combine(grouped[month]) if month in grouped else None for month in months]


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def _first_active_month(measures: Sequence[_Measure]) -> int:
    """The first month with a lead, a signing or an invoice: the company's history starts there."""
    volumes = [m for m in measures if m.key in {"trend.leads", "trend.sales", "trend.revenue"}]
    for i in range(len(volumes[0].values)):
        if any(m.values[i] for m in volumes):
            return i
    return len(volumes[0].values)


def _months_before(as_of: date) -> list[date]:
    """The ``MONTHS_BACK`` complete months before the month of ``as_of``, oldest first."""
    month = as_of.replace(day=1)
    months = []
    for _ in range(MONTHS_BACK):
        month = (month - timedelta(days=1)).replace(day=1)
        months.append(month)
    return months[::-1]


def _next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def _month_of(on: datetime) -> date:
    if on.tzinfo is not None:
        on = on.astimezone(UTC)
    return on.date().replace(day=1)


def _at_midnight(on: date) -> datetime:
    return datetime(on.year, on.month, on.day, tzinfo=UTC)
