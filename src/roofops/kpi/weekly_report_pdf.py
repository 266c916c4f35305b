"""The weekly executive report laid out as a PDF (fpdf2, core fonts): the figures table, where
they come from, 13-week charts and the definitions, in that order."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from roofops.kpi.pdf_charts import Box, ChartKind, Series, draw_chart
from roofops.kpi.results import SOURCE_LABELS, KpiDefinition, KpiPoint, KpiUnit, KpiValue
from roofops.kpi.weekly_report import WeeklyReport

if TYPE_CHECKING:
    from fpdf import FPDF

PARTIAL_MARK = "*"
PARTIAL_NOTE = (
    "* partial: the period is still running, or the figure rests on jobs not yet closed; "
    "it will change."
)
NOT_MEASURED = "n/a"
# The figures table: (heading, width in mm); 190 mm fit a Letter page between 13 mm margins.
COLUMNS = (
    ("KPI", 44.0),
    ("This week", 28.0),
    ("Week before", 27.0),
    ("Change", 17.0),
    ("Year before", 27.0),
    ("Change", 17.0),
    ("Month to date", 30.0),
)
MARGIN = 13.0
CHART_WIDTH = 91.0
CHART_HEIGHT = 58.0
CHART_GAP = 8.0
DEFINITION_HEIGHT = 24.0  # a definition's usual height, in mm


def render(report: WeeklyReport) -> bytes:
    from fpdf import FPDF  # imported here: only a PDF request pays for it

    pdf = FPDF(format="letter")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(auto=True, margin=MARGIN)
    pdf.set_title(latin1(f"Weekly executive report, {report.week.period.label}"))
    pdf.set_author(latin1(report.company))
    pdf.add_page()
    _heading(pdf, report)
    _figures(pdf, report)
    _sources(pdf, report)
    _charts(pdf, report)
    _definitions(pdf, report)
    return bytes(pdf.output())


def latin1(value: str) -> str:
    """The PDF core fonts cover Latin-1: anything else prints as '?' instead of failing."""
    return value.encode("latin-1", "replace").decode("latin-1")


def figure(unit: KpiUnit, value: float | None, *, partial: bool = False) -> str:
    """A KPI value as the report prints it (whole dollars, one decimal for rates and days)."""
    if value is None:
        return NOT_MEASURED
    text = {
        KpiUnit.CENTS: lambda: _dollars(value),
        KpiUnit.PERCENT: lambda: f"{value:.1f}%",
        KpiUnit.DAYS: lambda: f"{value:,.1f} d",
        KpiUnit.CREW_DAYS: lambda: f"{value:,.1f} cd",
        KpiUnit.COUNT: lambda: f"{value:,.0f}",
    }[unit]()
    return f"{text} {PARTIAL_MARK}" if partial else text


def change(unit: KpiUnit, value: float | None, base: float | None) -> str:
    """A percentage's change in points (a margin from 30% to 33% is +3.0 pts, not +10%);
    every other figure's relative change. Blank where it cannot be told (no base, base 0)."""
    if value is None or base is None:
        return ""
    if unit is KpiUnit.PERCENT:
        return f"{value - base:+.1f} pts"
    if base == 0:
        return ""
    return f"{(value - base) / abs(base) * 100:+.0f}%"


def _dollars(cents: float) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents) / 100:,.0f}"


def _axis_format(unit: KpiUnit) -> Callable[[float], str]:
    def tick(value: float) -> str:
        if unit is KpiUnit.CENTS:
            return _short_dollars(value)
        suffix = {KpiUnit.PERCENT: "%", KpiUnit.DAYS: " d", KpiUnit.CREW_DAYS: " cd"}
        return f"{value:,.4g}{suffix.get(unit, '')}"

    return tick


def _short_dollars(cents: float) -> str:
    sign, dollars = "-" if cents < 0 else "", abs(cents) / 100
    for limit, suffix in ((1e6, "M"), (1e3, "k")):
        if dollars >= limit:
            return f"{sign}${dollars / limit:,.4g}{suffix}"
    return f"{sign}${dollars:,.0f}"


def _heading(pdf: FPDF, report: WeeklyReport) -> None:
    week = report.week.period
    pdf.set_font("Helvetica", "B", 17)
    pdf.cell(0, 9, latin1(report.company), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(0, 7, "Weekly executive report", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    span = f"{week.start:%a %b %d, %Y} to {week.end:%a %b %d, %Y}"
    pdf.cell(0, 6, f"Week {span}; figures as of {report.week.as_of:%b %d, %Y}")
    pdf.ln(6)
    pdf.cell(0, 6, _month_line(report))
    pdf.ln(9)


def _month_line(report: WeeklyReport) -> str:
    month = report.month.period
    if report.month.as_of >= month.end:
        return f"Month to date: {month.label}, complete ({month.start:%b %d} to {month.end:%b %d})"
    return (
        f"Month to date: {month.label}, {month.start:%b %d} to {report.month.as_of:%b %d} (partial)"
    )


def _figures(pdf: FPDF, report: WeeklyReport) -> None:
    pdf.set_font("Helvetica", "B", 9)
    for heading, width in COLUMNS:
        pdf.cell(width, 7, heading, border="B", align="L" if heading == "KPI" else "R")
    pdf.ln(7)
    months = {value.key: value for value in report.month.values}
    for value in report.week.values:
        _figure_row(pdf, report.definition(value.key), value, months.get(value.key))
    pdf.set_font("Helvetica", "I", 8)
    pdf.ln(1)
    pdf.multi_cell(
        0,
        4,
        PARTIAL_NOTE + " Change: against the week before, and against the "
        "same week a year before; percentages change in points. d: days; cd: crew-days.",
    )
    pdf.ln(4)


def _figure_row(
    pdf: FPDF, definition: KpiDefinition, value: KpiValue, month: KpiValue | None
) -> None:
    unit = definition.unit
    cells = (
        definition.label,
        figure(unit, value.value, partial=value.partial),
        figure(unit, value.previous),
        change(unit, value.value, value.previous),
        figure(unit, value.year_before),
        change(unit, value.value, value.year_before),
        figure(unit, month.value, partial=month.partial) if month else NOT_MEASURED,
    )
    pdf.set_font("Helvetica", "", 9)
    for (heading, width), text in zip(COLUMNS, cells, strict=True):
        pdf.cell(width, 6.5, latin1(text), border="B", align="L" if heading == "KPI" else "R")
    pdf.ln(6.5)


def _sources(pdf: FPDF, report: WeeklyReport) -> None:
    _section(pdf, "Where the figures come from")
    for value in report.week.values:
        definition = report.definition(value.key)
        pdf.set_font("Helvetica", "B", 8.5)
        pdf.cell(44, 4.5, latin1(definition.label))
        pdf.set_font("Helvetica", "", 8.5)
        pdf.multi_cell(0, 4.5, latin1(_source_line(definition, value)))
        pdf.ln(0.8)


def _source_line(definition: KpiDefinition, value: KpiValue) -> str:
    line = f"Based on {value.basis or 'no records'}; read from {', '.join(definition.sources)}."
    if value.source_shares:
        shares = sorted(value.source_shares.items(), key=lambda item: -item[1])
        named = ", ".join(f"{SOURCE_LABELS.get(k, k)} {share:.0%}" for k, share in shares)
        line += f" Of the amount: {named}."
    return line


def _charts(pdf: FPDF, report: WeeklyReport) -> None:
    pdf.add_page()
    _section(pdf, "The last 13 weeks")
    pdf.set_font("Helvetica", "", 8)
    pdf.multi_cell(0, 4, "Lighter bars and hollow points are weeks still running (partial).")
    pdf.ln(2)
    keys = [value.key for value in report.week.values if report.week.history.get(value.key)]
    for index, key in enumerate(keys):
        column = index % 2
        if column == 0 and pdf.get_y() + CHART_HEIGHT > pdf.h - MARGIN:
            pdf.add_page()
        top = pdf.get_y()
        box = Box(MARGIN + column * (CHART_WIDTH + CHART_GAP), top, CHART_WIDTH, CHART_HEIGHT)
        definition = report.definition(key)
        draw_chart(pdf, box, _series(definition, report.week.history[key]), _kind(definition))
        pdf.set_xy(MARGIN, top if column == 0 else top + CHART_HEIGHT + CHART_GAP / 2)
    if len(keys) % 2:
        pdf.set_xy(MARGIN, pdf.get_y() + CHART_HEIGHT + CHART_GAP / 2)


def _series(definition: KpiDefinition, points: tuple[KpiPoint, ...]) -> Series:
    return Series(
        title=latin1(definition.label),
        labels=tuple(f"{point.period.start:%m/%d}" for point in points),
        values=tuple(point.value for point in points),
        partial=tuple(point.partial for point in points),
        tick_format=_axis_format(definition.unit),
    )


def _kind(definition: KpiDefinition) -> ChartKind:
    """Bars for amounts and counts that add up over weeks; a line for rates and balances."""
    adds_up = definition.unit in (KpiUnit.CENTS, KpiUnit.COUNT) and not definition.point_in_time
    return ChartKind.BAR if adds_up else ChartKind.LINE


def _definitions(pdf: FPDF, report: WeeklyReport) -> None:
    pdf.add_page()
    _section(pdf, "Definitions")
    shown = {value.key for value in report.week.values}
    for definition in report.definitions:
        if definition.key not in shown:
            continue
        if pdf.get_y() + DEFINITION_HEIGHT > pdf.h - MARGIN:  # a heading never ends a page
            pdf.add_page()
        pdf.set_font("Helvetica", "B", 9)
        pdf.cell(0, 5, latin1(definition.label), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 8.5)
        for label, text in (
            ("", definition.definition),
            ("Formula: ", definition.formula),
            ("Aggregation: ", definition.aggregation),
            ("Sources: ", ", ".join(definition.sources)),
        ):
            pdf.multi_cell(0, 4.2, latin1(label + text), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)


def _section(pdf: FPDF, title: str) -> None:
    pdf.set_text_color(0, 0, 0)  # the charts leave their muted grey behind
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
