"""The weekly executive report's PDF, opened and read back: its figures are the KPI service's,
partial figures are marked, and every KPI has a chart drawn in the page."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy.orm import Session

from roofops.exceptions import ValidationFailed
from roofops.kpi.registry import KPIS
from roofops.kpi.results import ExecutiveView, Grain, KpiUnit, KpiValue
from roofops.kpi.service import kpi_service
from roofops.kpi.weekly_report import (
    READER_ROLE,
    chosen_week,
    last_full_week,
    render_weekly_report,
    week_of,
)
from roofops.kpi.weekly_report_pdf import NOT_MEASURED, change, figure
from roofops.sandbox.demo import build_demo

AS_OF = date(2026, 12, 3)  # a Thursday: its own week is still running
UNITS = {definition.key: definition.unit for definition in KPIS}
LABELS = {definition.key: definition.label for definition in KPIS}


@pytest.fixture
def demo(db: Session) -> None:
    build_demo(db, size=0.1, seed=5, as_of=AS_OF)


def pages(document: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(document)).pages]


def flat(text: str) -> str:
    return " ".join(text.split())


def expected_row(value: KpiValue, month: KpiValue) -> str:
    """The table row as the PDF's text reads (an empty cell leaves no text)."""
    unit = UNITS[value.key]
    cells = (
        LABELS[value.key],
        figure(unit, value.value, partial=value.partial),
        figure(unit, value.previous),
        change(unit, value.value, value.previous),
        figure(unit, value.year_before),
        change(unit, value.value, value.year_before),
        figure(unit, month.value, partial=month.partial),
    )
    return " ".join(cell for cell in cells if cell)


def views(db: Session, day: date) -> tuple[ExecutiveView, ExecutiveView]:
    week = week_of(day)
    month = kpi_service.period_containing(min(week.end, AS_OF), Grain.MONTH)
    return (
        kpi_service.view(db, READER_ROLE, week, AS_OF),
        kpi_service.view(db, READER_ROLE, month, AS_OF),
    )


@pytest.mark.usefixtures("demo")
def test_each_row_holds_the_kpi_services_figures_for_the_week_and_the_month(db: Session) -> None:
    week = last_full_week(AS_OF)
    document = render_weekly_report(db, week, AS_OF)

    first = pages(document)[0]
    lines = first.splitlines()
    week_view, month_view = views(db, week.start)
    months = {value.key: value for value in month_view.values}
    assert [value.key for value in week_view.values] == [kpi.key for kpi in KPIS]
    for value in week_view.values:
        assert expected_row(value, months[value.key]) in lines, value.key
    assert document.startswith(b"%PDF")
    assert "Week Mon Nov 23, 2026 to Sun Nov 29, 2026; figures as of Dec 03, 2026" in first
    assert "Month to date: November 2026, complete" in first


@pytest.mark.usefixtures("demo")
def test_a_week_still_running_is_marked_partial_and_its_sources_are_named(db: Session) -> None:
    week = week_of(AS_OF)
    document = render_weekly_report(db, week, AS_OF)

    first = pages(document)[0]
    week_view, month_view = views(db, AS_OF)
    months = {value.key: value for value in month_view.values}
    measured = [value for value in week_view.values if value.value is not None]
    assert measured
    assert all(value.partial for value in measured)  # the period is running
    for value in week_view.values:
        assert expected_row(value, months[value.key]) in first.splitlines(), value.key
    assert "* partial: the period is still running" in first
    assert "Month to date: December 2026, Dec 01 to Dec 03 (partial)" in first
    text = flat(first)
    for value in week_view.values:
        assert f"Based on {value.basis}" in text
    shared = [value for value in week_view.values if value.source_shares]
    assert shared, "the demo's money figures carry their sources"
    for value in shared:
        for share in value.source_shares.values():
            assert f"{share:.0%}" in text


@pytest.mark.usefixtures("demo")
def test_every_kpi_gets_a_13_week_chart_and_a_definition(db: Session) -> None:
    week = last_full_week(AS_OF)
    reader = PdfReader(io.BytesIO(render_weekly_report(db, week, AS_OF)))

    texts = [page.extract_text() for page in reader.pages]
    charts = [i for i, text in enumerate(texts) if "The last 13 weeks" in text]
    definitions = next(i for i, text in enumerate(texts) if text.startswith("Definitions"))
    assert charts == [1]
    chart_pages = reader.pages[charts[0] : definitions]
    drawn = b"".join(page.get_contents().get_data() for page in chart_pages)
    # Gridlines and axes are stroked paths (m ... l S), bars filled rectangles (re f),
    # points small filled circles (Bezier curves, c).
    assert len(re.findall(rb" l S", drawn)) >= len(KPIS) * 4
    assert re.search(rb" re f\b", drawn) or re.search(rb" c\b", drawn)
    chart_text = "\n".join(texts[charts[0] : definitions])
    for kpi in KPIS:
        assert kpi.label in chart_text
    assert f"{week.start:%m/%d}" in chart_text  # the latest week is always labelled
    glossary = flat("\n".join(texts[definitions:]))
    for kpi in KPIS:
        for part in (kpi.label, kpi.definition, f"Formula: {kpi.formula}"):
            assert flat(part) in glossary, (kpi.key, part)


def test_figures_read_in_their_units_and_changes_in_points_or_percent() -> None:
    assert figure(KpiUnit.CENTS, 12_345_678.0) == "$123,457"
    assert figure(KpiUnit.CENTS, -5_000.0, partial=True) == "-$50 *"
    assert figure(KpiUnit.PERCENT, 31.25) == "31.2%"
    assert figure(KpiUnit.DAYS, 12.0) == "12.0 d"
    assert figure(KpiUnit.COUNT, None) == NOT_MEASURED
    assert change(KpiUnit.PERCENT, 33.0, 30.0) == "+3.0 pts"
    assert change(KpiUnit.CENTS, 110.0, 100.0) == "+10%"
    assert change(KpiUnit.CENTS, 110.0, 0.0) == ""
    assert change(KpiUnit.CENTS, None, 100.0) == ""


def test_the_week_asked_for_is_the_one_holding_the_day_and_has_begun() -> None:
    assert chosen_week(None, AS_OF) == last_full_week(AS_OF)
    assert last_full_week(AS_OF).start == date(2026, 11, 23)
    assert chosen_week(date(2026, 11, 26), AS_OF).start == date(2026, 11, 23)
    assert chosen_week(date(2026, 12, 1), AS_OF).start == date(2026, 11, 30)  # running
    with pytest.raises(ValidationFailed, match="has not started yet"):
        chosen_week(date(2026, 12, 7), AS_OF)


def test_a_bar_chart_draws_losses_below_zero_and_a_running_week_dashed() -> None:
    from fpdf import FPDF

    from roofops.kpi.pdf_charts import Box, ChartKind, Series, draw_chart, nice_range

    pdf = FPDF(format="letter")
    pdf.add_page()
    values = (120_000.0, -40_000.0, None, 0.0, 30_000.0)
    series = Series("Gross profit", ("a", "b", "c", "d", "e"), values, (False,) * 4 + (True,), str)
    draw_chart(pdf, Box(13, 20, 91, 58), series, ChartKind.BAR)
    drawn = PdfReader(io.BytesIO(bytes(pdf.output()))).pages[0].get_contents().get_data()

    assert nice_range(-40_000.0, 120_000.0) == (-50_000.0, 150_000.0, 50_000.0)
    assert nice_range(0.0, 0.0) == (0.0, 1.0, 0.25)
    assert drawn.count(b" re f") == 3  # the two final weeks and the zero one; gaps draw nothing
    assert drawn.count(b" re B") == 1  # the running week: filled lighter, dashed outline
    assert b"] 0 d" in drawn  # a dash pattern was set
