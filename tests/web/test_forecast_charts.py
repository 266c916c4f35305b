"""The SVG band chart: a band path where the series has one, lines and points, escaped titles,
a capacity line, flagged points, gaps kept as gaps, and the table behind it."""

from __future__ import annotations

import re
from datetime import date, timedelta
from xml.etree import ElementTree

from roofops.forecast.results import ForecastSeries, SeriesPoint, Unit
from roofops.web.charts import band_chart, format_value


def _weeks(points: list[SeriesPoint], *, key: str = "demand.crew_hours.shingle") -> ForecastSeries:
    return ForecastSeries(
        key=key,
        label="Shingle crew-hours <demand>",
        unit=Unit.CREW_HOURS,
        period="week",
        points=tuple(points),
        definition="Crew-hours of shingle work per week.",
        source="Schedule & model",
    )


def _point(week: int, p50: float | None, **values: float | bool) -> SeriesPoint:
    start = date(2026, 6, 1) + timedelta(weeks=week)
    if p50 is None:
        return SeriesPoint(start, actual=float(values.get("actual", 0)))
    return SeriesPoint(start, p10=p50 - 10, p50=p50, p90=p50 + 10, components=dict(values))


def _parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)


def test_a_band_a_median_line_points_and_escaped_titles() -> None:
    series = _weeks([_point(0, 100), _point(1, 120), _point(2, 90)])

    chart = band_chart("demand-shingle", series)
    tree = _parse(str(chart.svg))

    assert tree.find("title").text == "Shingle crew-hours <demand>"  # type: ignore[union-attr]
    assert "&lt;demand&gt;" in str(chart.svg)
    assert "Source: Schedule &amp; model" in str(chart.svg)
    bands = tree.findall("path[@class='chart-band']")
    assert len(bands) == 1
    assert bands[0].get("d", "").count("L") == 5  # three upper corners, three lower, closed
    assert len(tree.findall("polyline[@class='chart-p50']")) == 1
    hovers = [c.findtext("title") for c in tree.findall("circle")]
    assert hovers[1] == "wk 08 Jun; forecast 120 h (p10 110 h - p90 130 h)"


def test_capacity_line_and_flagged_weeks() -> None:
    demand = _weeks([_point(0, 100), _point(1, 160, shortfall=True)])
    capacity = _weeks([_point(0, 140), _point(1, 140)], key="capacity.crew_hours.shingle")

    chart = band_chart(
        "c",
        demand,
        capacity=capacity,
        flag=lambda p: bool(p.components.get("shortfall")),
        flag_label="Shortfall",
    )
    tree = _parse(str(chart.svg))

    assert len(tree.findall("polyline[@class='chart-capacity']")) == 1
    flagged = tree.findall("circle[@class='chart-point chart-flagged chart-forecast']")
    assert len(flagged) == 1
    assert "capacity 140 h; flagged" in (flagged[0].findtext("title") or "")
    assert [row.flag for row in chart.rows] == ["", "Shortfall"]
    assert chart.rows[1].capacity == "140 h"


def test_actuals_without_a_band_and_a_gap_split_the_lines() -> None:
    series = _weeks(
        [_point(0, None, actual=5), _point(1, None, actual=6), _point(2, 50), _point(3, 55)]
    )
    gap = _weeks(
        [
            SeriesPoint(date(2026, 6, 1), actual=1),
            SeriesPoint(date(2026, 6, 8)),
            SeriesPoint(date(2026, 6, 15), actual=2),
            SeriesPoint(date(2026, 6, 22), actual=3),
        ]
    )

    tree = _parse(str(band_chart("a", series).svg))
    gap_tree = _parse(str(band_chart("b", gap).svg))

    assert len(tree.findall("path[@class='chart-band']")) == 1  # only weeks 2-3 have a band
    assert len(gap_tree.findall("polyline[@class='chart-actual']")) == 2
    assert gap_tree.findall("path") == []


def test_an_empty_series_still_draws_a_labelled_frame() -> None:
    chart = band_chart("empty", _weeks([]))

    assert re.search(r"<title id=\"empty-title\">", str(chart.svg))
    assert chart.rows == ()


def test_values_read_by_unit() -> None:
    assert format_value(123456, Unit.CENTS) == "$1,235"
    assert format_value(31.25, Unit.PERCENT) == "31.2 %"
    assert format_value(None, Unit.COUNT) == "—"
    assert format_value(float("nan"), Unit.DAYS) == "—"


def test_the_chart_says_which_lines_it_has() -> None:
    forecast_only = band_chart("f", _weeks([_point(0, 100)]))
    with_actuals = band_chart("a", _weeks([_point(0, None, actual=3)]), trend=lambda p: 2.0)

    assert not forecast_only.has_actual
    assert not forecast_only.has_trend
    assert with_actuals.has_actual
    assert with_actuals.has_trend
    assert 'class="chart-trend"' in str(with_actuals.svg)


def test_the_axis_reads_in_round_figures() -> None:
    chart = band_chart("r", _weeks([_point(0, 433), _point(1, 120)]))

    ticks = re.findall(r'text-anchor="end">([^<]+)</text>', str(chart.svg))
    assert ticks == ["0 h", "100 h", "200 h", "300 h", "400 h", "500 h"]
