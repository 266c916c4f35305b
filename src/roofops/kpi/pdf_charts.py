"""Small charts drawn straight into a PDF with fpdf2's vector operations: bars or a line over
a few periods, with axes, gridlines, tick labels and partial periods told apart.

No plotting library: a chart is a few dozen rectangles and lines, the PDF stays small and
sharp at any zoom, and the report needs nothing beyond fpdf2 (pure Python, core fonts).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from roofops.kit.types import StrEnum

if TYPE_CHECKING:
    from fpdf import FPDF

INK = (33, 37, 41)
MUTED = (108, 117, 125)
GRID = (222, 226, 230)
FILL = (31, 94, 156)  # final figures
PARTIAL_FILL = (167, 196, 224)  # a period still running: lighter, with a dashed outline
NEGATIVE_FILL = (176, 42, 55)
TICKS = 4  # gridlines above (and below) zero, about
TITLE_HEIGHT = 5.0
AXIS_LABEL_WIDTH = 18.0
X_LABEL_HEIGHT = 5.0


class ChartKind(StrEnum):
    BAR = "bar"  # flows: an amount or a count per period
    LINE = "line"  # rates, durations and balances: a level read at each period


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Series:
    title: str
    labels: tuple[str, ...]  # one per period, oldest first
    values: tuple[float | None, ...]  # None: nothing measured in that period (a gap)
    partial: tuple[bool, ...]
    tick_format: Callable[[float], str]  # the y axis' labels, in the figure's unit


@dataclass(frozen=True)
class _Plot:
    """The plotting area inside the box and the value range it maps."""

    left: float
    top: float
    width: float
    height: float
    low: float
    high: float

    def y_of(self, value: float) -> float:
        span = (self.high - self.low) or 1.0
        return self.top + self.height * (self.high - value) / span

    def x_of(self, index: int, count: int) -> float:
        """The centre of the index-th period's slot."""
        return self.left + self.width * (index + 0.5) / max(count, 1)


def draw_chart(pdf: FPDF, box: Box, series: Series, kind: ChartKind) -> None:
    """Title, axes with gridlines and labels, then the bars or the line."""
    _title(pdf, box, series.title)
    measured = [value for value in series.values if value is not None]
    low, high, step = nice_range(min(measured, default=0.0), max(measured, default=0.0))
    plot = _Plot(
        left=box.x + AXIS_LABEL_WIDTH,
        top=box.y + TITLE_HEIGHT + 2,
        width=box.width - AXIS_LABEL_WIDTH - 1,
        height=box.height - TITLE_HEIGHT - X_LABEL_HEIGHT - 3,
        low=low,
        high=high,
    )
    # Without a non-zero value the axis has no scale to show: only its zero is labelled.
    _grid(pdf, plot, step if any(measured) else None, series.tick_format)
    _x_labels(pdf, plot, series.labels)
    if not measured:
        _centered_note(pdf, plot, "nothing measured in these weeks")
    elif not any(measured):
        _centered_note(pdf, plot, "zero in every one of these weeks")
    elif kind is ChartKind.BAR:
        _bars(pdf, plot, series)
    else:
        _line(pdf, plot, series)
    _axes(pdf, plot)


def nice_range(low: float, high: float) -> tuple[float, float, float]:
    """An axis from a round number to a round number, zero included, in round steps."""
    low, high = min(low, 0.0), max(high, 0.0)
    if low == high:
        return 0.0, 1.0, 0.25
    raw = (high - low) / TICKS
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return math.floor(low / step) * step, math.ceil(high / step) * step, step


def _title(pdf: FPDF, box: Box, title: str) -> None:
    pdf.set_text_color(*INK)
    pdf.set_font("Helvetica", "B", 9)
    pdf.set_xy(box.x, box.y)
    pdf.cell(box.width, TITLE_HEIGHT, title)


def _grid(pdf: FPDF, plot: _Plot, step: float | None, tick_format: Callable[[float], str]) -> None:
    pdf.set_font("Helvetica", "", 6.5)
    pdf.set_text_color(*MUTED)
    pdf.set_line_width(0.1)
    ticks = round((plot.high - plot.low) / step) if step else 0
    for index in range(ticks + 1):
        value = plot.low + index * step if step else 0.0
        y = plot.y_of(value)
        pdf.set_draw_color(*GRID)
        pdf.line(plot.left, y, plot.left + plot.width, y)
        pdf.set_xy(plot.left - AXIS_LABEL_WIDTH, y - 1.5)
        pdf.cell(AXIS_LABEL_WIDTH - 1, 3, tick_format(value), align="R")


def _x_labels(pdf: FPDF, plot: _Plot, labels: Sequence[str]) -> None:
    """Every label when they fit, else every second or third (always the latest)."""
    pdf.set_font("Helvetica", "", 6.5)
    pdf.set_text_color(*MUTED)
    slot = plot.width / max(len(labels), 1)
    widest = max((pdf.get_string_width(label) for label in labels), default=0.0)
    every = max(1, math.ceil((widest + 1) / slot))
    last = len(labels) - 1
    for index, label in enumerate(labels):
        if (last - index) % every:
            continue
        x = plot.x_of(index, len(labels))
        pdf.set_xy(x - slot * every / 2, plot.top + plot.height + 1)
        pdf.cell(slot * every, 3, label, align="C")


def _axes(pdf: FPDF, plot: _Plot) -> None:
    pdf.set_draw_color(*INK)
    pdf.set_line_width(0.25)
    pdf.line(plot.left, plot.top, plot.left, plot.top + plot.height)
    zero = plot.y_of(0.0)
    pdf.line(plot.left, zero, plot.left + plot.width, zero)


def _bars(pdf: FPDF, plot: _Plot, series: Series) -> None:
    count = len(series.values)
    width = plot.width / max(count, 1) * 0.7
    zero = plot.y_of(0.0)
    for index, (value, partial) in enumerate(zip(series.values, series.partial, strict=True)):
        if value is None:
            continue
        top = min(zero, plot.y_of(value))
        height = abs(plot.y_of(value) - zero)
        x = plot.x_of(index, count) - width / 2
        fill = PARTIAL_FILL if partial else NEGATIVE_FILL if value < 0 else FILL
        pdf.set_fill_color(*fill)
        pdf.set_draw_color(*FILL)
        pdf.set_line_width(0.2)
        if partial:
            pdf.set_dash_pattern(dash=0.8, gap=0.6)
        pdf.rect(x, top, width, max(height, 0.2), style="DF" if partial else "F")
        pdf.set_dash_pattern()


def _line(pdf: FPDF, plot: _Plot, series: Series) -> None:
    """Segments between measured neighbours (a gap breaks the line); a segment into a partial
    period is dashed and its marker hollow."""
    count = len(series.values)
    points = [
        None if value is None else (plot.x_of(index, count), plot.y_of(value))
        for index, value in enumerate(series.values)
    ]
    pdf.set_draw_color(*FILL)
    pdf.set_line_width(0.5)
    for index in range(1, count):
        start, end = points[index - 1], points[index]
        if start is None or end is None:
            continue
        if series.partial[index]:
            pdf.set_dash_pattern(dash=1.0, gap=0.8)
        pdf.line(*start, *end)
        pdf.set_dash_pattern()
    for point, partial in zip(points, series.partial, strict=True):
        if point is None:
            continue
        pdf.set_fill_color(*((255, 255, 255) if partial else FILL))
        pdf.circle(point[0], point[1], 0.8, style="DF")


def _centered_note(pdf: FPDF, plot: _Plot, note: str) -> None:
    pdf.set_font("Helvetica", "I", 7)
    pdf.set_text_color(*MUTED)
    pdf.set_xy(plot.left, plot.top + plot.height / 2 - 2)
    pdf.cell(plot.width, 4, note, align="C")
