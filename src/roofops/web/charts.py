"""Server-side SVG charts of forecast series: a shaded p10-p90 band, the p50 line, actuals,
an optional capacity line and flagged periods. No script and no CDN, so a chart renders offline,
prints, and reads in a screen reader: the SVG carries a title and a description, every point a
``<title>`` tooltip, and the page puts the same figures in a table behind a ``<details>``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from html import escape

from markupsafe import Markup

from roofops.forecast.results import ForecastSeries, SeriesPoint, Unit

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 36
Y_TICKS = 5


@dataclass(frozen=True)
class ChartRow:
    """One period as the data table behind the chart shows it (already formatted)."""

    label: str
    p10: str
    p50: str
    p90: str
    actual: str
    capacity: str
    flag: str


@dataclass(frozen=True)
class Chart:
    """A band chart: ``svg`` for the figure, ``rows`` for its table, ``flag_label`` names what
    a marked period means (Anomaly, Shortfall...)."""

    chart_id: str
    title: str
    definition: str
    source: str
    svg: Markup
    rows: tuple[ChartRow, ...]
    flag_label: str
    has_capacity: bool = False
    has_trend: bool = False
    has_actual: bool = False


# How each unit reads: a format for the number and a suffix.
_UNIT_FORMATS: dict[Unit, Callable[[float], str]] = {
    Unit.CENTS: lambda v: f"${v / 100:,.0f}",
    Unit.PERCENT: lambda v: f"{v:.1f} %",
    Unit.CREW_HOURS: lambda v: f"{v:,.0f} h",
    Unit.CREW_DAYS: lambda v: f"{v:,.1f} crew-days",
    Unit.DAYS: lambda v: f"{v:,.1f} d",
    Unit.COUNT: lambda v: f"{v:,.0f}",
}


def format_value(value: float | None, unit: Unit) -> str:
    """A figure as people read it, by its unit; an em dash for none."""
    if value is None or math.isnan(value):
        return "—"
    return _UNIT_FORMATS[unit](value)


def period_label(period_start: date, period: str) -> str:
    return period_start.strftime("%b %Y") if period == "month" else f"wk {period_start:%d %b}"


def band_chart(
    chart_id: str,
    series: ForecastSeries,
    *,
    capacity: ForecastSeries | None = None,
    flag: Callable[[SeriesPoint], bool] = lambda _point: False,
    flag_label: str = "Flagged",
    trend: Callable[[SeriesPoint], float | None] | None = None,
) -> Chart:
    """The chart of ``series`` (and ``capacity`` on the same periods, when given; ``trend``
    reads a trend line from each point, such as a decomposition's trend component)."""
    points = series.points
    limits = _capacity_by_period(capacity)
    flags = [flag(point) for point in points]
    rows = tuple(
        _row(point, series, limits.get(point.period_start), flagged=flagged, label=flag_label)
        for point, flagged in zip(points, flags, strict=True)
    )
    trend_line = [trend(p) for p in points] if trend else []
    svg = _svg(chart_id, series, [limits.get(p.period_start) for p in points], flags, trend_line)
    return Chart(
        chart_id,
        series.label,
        series.definition,
        series.source,
        svg,
        rows,
        flag_label,
        has_capacity=capacity is not None,
        has_trend=trend is not None,
        has_actual=any(point.actual is not None for point in points),
    )


def _capacity_by_period(capacity: ForecastSeries | None) -> dict[date, float | None]:
    if capacity is None:
        return {}
    return {point.period_start: _central(point) for point in capacity.points}


def _central(point: SeriesPoint) -> float | None:
    return point.p50 if point.p50 is not None else point.actual


def _row(
    point: SeriesPoint, series: ForecastSeries, capacity: float | None, *, flagged: bool, label: str
) -> ChartRow:
    unit = series.unit
    return ChartRow(
        label=period_label(point.period_start, series.period),
        p10=format_value(point.p10, unit),
        p50=format_value(point.p50, unit),
        p90=format_value(point.p90, unit),
        actual=format_value(point.actual, unit),
        capacity=format_value(capacity, unit),
        flag=label if flagged else "",
    )


@dataclass(frozen=True)
class _Scale:
    count: int
    low: float
    high: float

    def x(self, index: int) -> float:
        span = WIDTH - LEFT - RIGHT
        return LEFT + (span * (index + 0.5) / self.count)

    def y(self, value: float) -> float:
        span = HEIGHT - TOP - BOTTOM
        return TOP + span * (1 - (value - self.low) / (self.high - self.low))


def _scale(values: Sequence[float | None], count: int) -> _Scale:
    known = [v for v in values if v is not None and not math.isnan(v)]
    low = min([0.0, *known]) if known else 0.0  # quantities start at zero: no exaggerated slopes
    high = max(known) if known else 1.0
    if high <= low:
        high = low + 1.0
    step = _nice_step((high - low) / Y_TICKS)
    # Round the axis out to whole steps so the gridlines read as round figures.
    return _Scale(max(count, 1), math.floor(low / step) * step, math.ceil(high / step) * step)


def _nice_step(rough: float) -> float:
    """The smallest of 1, 2, 2.5 or 5 times a power of ten at least ``rough``."""
    power = 10.0 ** math.floor(math.log10(rough))
    return next(m * power for m in (1.0, 2.0, 2.5, 5.0, 10.0) if m * power >= rough)


def _svg(
    chart_id: str,
    series: ForecastSeries,
    capacity: list[float | None],
    flags: list[bool],
    trend: list[float | None],
) -> Markup:
    points = series.points
    every_value = [v for p in points for v in (p.p10, p.p50, p.p90, p.actual)] + capacity + trend
    scale = _scale(every_value, len(points))
    parts = [
        f'<svg class="band-chart" id="{escape(chart_id)}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
        f'preserveAspectRatio="xMidYMid meet">',
        f'<title id="{escape(chart_id)}-title">{escape(series.label)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(_description(series, capacity))}</desc>',
        *_axes(scale, series),
        *_band(scale, points),
        _line(scale, [p.p50 for p in points], "chart-p50", "Forecast median (p50)"),
        _line(scale, capacity, "chart-capacity", "Capacity"),
        _line(scale, trend, "chart-trend", "Trend (seasonal decomposition)"),
        _line(scale, [p.actual for p in points], "chart-actual", "Actual"),
        *_markers(scale, series, capacity, flags),
        "</svg>",
    ]
    return Markup("".join(part for part in parts if part))  # noqa: S704 - every text is escaped


def _description(series: ForecastSeries, capacity: list[float | None]) -> str:
    has_capacity = any(value is not None for value in capacity)
    return (
        f"{series.definition} Shaded: the p10 to p90 band; dashed: the median (p50); "
        f"dots: actuals{'; solid grey: capacity' if has_capacity else ''}. "
        f"Source: {series.source}. The table below the chart has every figure."
    )


def _axes(scale: _Scale, series: ForecastSeries) -> list[str]:
    parts = []
    step = _nice_step((scale.high - scale.low) / Y_TICKS)
    for tick in range(round((scale.high - scale.low) / step) + 1):
        value = scale.low + step * tick
        y = scale.y(value)
        parts.append(
            f'<line class="chart-grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="chart-tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{escape(format_value(value, series.unit))}</text>"
        )
    step = max(1, math.ceil(len(series.points) / 8))
    for index, point in enumerate(series.points):
        if index % step == 0:
            label = escape(period_label(point.period_start, series.period))
            parts.append(
                f'<text class="chart-tick" x="{scale.x(index):.1f}" y="{HEIGHT - 12}" '
                f'text-anchor="middle">{label}</text>'
            )
    return parts


def _band(scale: _Scale, points: Sequence[SeriesPoint]) -> list[str]:
    """One shaded polygon per run of consecutive periods that have a band."""
    paths = []
    for run in _runs([p.p10 is not None and p.p90 is not None for p in points]):
        upper = [f"{scale.x(i):.1f},{scale.y(points[i].p90 or 0):.1f}" for i in run]
        lower = [f"{scale.x(i):.1f},{scale.y(points[i].p10 or 0):.1f}" for i in reversed(run)]
        paths.append(
            f'<path class="chart-band" d="M{" L".join(upper + lower)} Z">'
            "<title>p10 to p90: the 80 % band</title></path>"
        )
    return paths


def _line(scale: _Scale, values: Sequence[float | None], css: str, label: str) -> str:
    segments = []
    for run in _runs([v is not None for v in values]):
        coords = " ".join(f"{scale.x(i):.1f},{scale.y(values[i] or 0):.1f}" for i in run)
        segments.append(
            f'<polyline class="{css}" points="{coords}"><title>{label}</title></polyline>'
        )
    return "".join(segments)


def _markers(
    scale: _Scale, series: ForecastSeries, capacity: list[float | None], flags: list[bool]
) -> list[str]:
    """A dot per actual, or per median where there is none yet, each with its figures on hover."""
    marks = []
    for index, point in enumerate(series.points):
        value = point.actual if point.actual is not None else point.p50
        if value is None:
            continue
        css = "chart-point chart-flagged" if flags[index] else "chart-point"
        css += "" if point.actual is not None else " chart-forecast"
        hover = escape(_hover(point, series, capacity[index], flagged=flags[index]))
        marks.append(
            f'<circle class="{css}" cx="{scale.x(index):.1f}" cy="{scale.y(value):.1f}" '
            f'r="{5 if flags[index] else 3}"><title>{hover}</title></circle>'
        )
    return marks


def _hover(
    point: SeriesPoint, series: ForecastSeries, capacity: float | None, *, flagged: bool
) -> str:
    unit = series.unit
    parts = [period_label(point.period_start, series.period)]
    if point.actual is not None:
        parts.append(f"actual {format_value(point.actual, unit)}")
    if point.p50 is not None:
        parts.append(
            f"forecast {format_value(point.p50, unit)} "
            f"(p10 {format_value(point.p10, unit)} - p90 {format_value(point.p90, unit)})"
        )
    if capacity is not None:
        parts.append(f"capacity {format_value(capacity, unit)}")
    if flagged:
        parts.append("flagged")
    return "; ".join(parts)


def _runs(present: Sequence[bool]) -> list[list[int]]:
    """Indices grouped into runs of consecutive True: a gap in the data is a gap in the line."""
    runs: list[list[int]] = []
    for index, here in enumerate(present):
        if not here:
            continue
        if runs and runs[-1][-1] == index - 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    return runs
