"""The executive page's tiles and charts from an ExecutiveView: formatted figures, the changes
on the period before and the year before (arrow and whether the change is good), the source
shares of money figures, and each KPI's 13-period chart (the forecast pages' SVG chart)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from roofops.forecast.results import ForecastSeries, SeriesPoint, Unit
from roofops.kpi.registry import BY_KEY
from roofops.kpi.results import (
    SOURCE_LABELS,
    ExecutiveView,
    Grain,
    KpiDefinition,
    KpiPoint,
    KpiValue,
)
from roofops.web.charts import Chart, band_chart, format_value


@dataclass(frozen=True)
class Change:
    """A relative change as the tile shows it: ``+12.5 %`` with an arrow, good or bad."""

    text: str
    arrow: str  # "▲", "▼" or "" (no change, or none to tell)
    tone: str  # "good", "bad" or "flat"
    title: str  # the figures it compares, for hover


@dataclass(frozen=True)
class Share:
    source: str
    label: str
    percent: float
    offset: float  # where its segment starts on the bar, percent (the shares before it)


@dataclass(frozen=True)
class Tile:
    kpi: KpiDefinition
    value: str
    basis: str
    partial: bool
    previous: Change
    year_before: Change
    shares: tuple[Share, ...]
    chart: Chart

    @property
    def hover(self) -> str:
        """Everything the registry says of the KPI, for the tile's ``title``."""
        return (
            f"{self.kpi.definition}\nFormula: {self.kpi.formula}\n"
            f"Sources: {'; '.join(self.kpi.sources)}\nAggregation: {self.kpi.aggregation}"
        )


def tiles(view: ExecutiveView) -> tuple[Tile, ...]:
    return tuple(_tile(value, view.history[value.key]) for value in view.values)


def _tile(value: KpiValue, history: tuple[KpiPoint, ...]) -> Tile:
    kpi = BY_KEY[value.key]
    unit = Unit(kpi.unit.value)
    grain = "month" if value.period.grain is Grain.MONTH else "week"
    return Tile(
        kpi=kpi,
        value=format_value(value.value, unit),
        basis=value.basis,
        partial=value.partial,
        previous=_change(kpi, value.change, value.previous, f"the {grain} before"),
        year_before=_change(kpi, value.change_year, value.year_before, "a year before"),
        shares=_shares(value.source_shares),
        chart=band_chart(
            f"kpi-{kpi.key}",
            _series(kpi, unit, grain, history),
            flag=_is_partial(history),
            flag_label="Partial",
        ),
    )


def _shares(shares: dict[str, float]) -> tuple[Share, ...]:
    """Largest first, each segment starting where the one before ends."""
    ordered = sorted(shares.items(), key=lambda item: -item[1])
    offsets = [sum(share for _, share in ordered[:index]) for index in range(len(ordered))]
    return tuple(
        Share(source, SOURCE_LABELS.get(source, source), share * 100, offset * 100)
        for (source, share), offset in zip(ordered, offsets, strict=True)
    )


def _change(kpi: KpiDefinition, change: float | None, base: float | None, against: str) -> Change:
    unit = Unit(kpi.unit.value)
    title = f"{against}: {format_value(base, unit)}"
    if change is None:
        return Change("—", "", "flat", title + " (no change to tell)")
    if change == 0:
        return Change("0 %", "", "flat", title)
    better = (change > 0) == kpi.higher_is_better
    return Change(
        f"{change * 100:+.1f} %", "▲" if change > 0 else "▼", "good" if better else "bad", title
    )


def _series(
    kpi: KpiDefinition, unit: Unit, grain: str, history: tuple[KpiPoint, ...]
) -> ForecastSeries:
    return ForecastSeries(
        key=f"kpi.{kpi.key}",
        label=f"{kpi.label}, last {len(history)} {grain}s",
        unit=unit,
        period="month" if grain == "month" else "week",
        points=tuple(SeriesPoint(point.period.start, actual=point.value) for point in history),
        definition=kpi.definition,
        source="; ".join(kpi.sources),
    )


def _is_partial(history: tuple[KpiPoint, ...]) -> Callable[[SeriesPoint], bool]:
    """The chart's flag: the periods whose figure will still change."""
    partial = {point.period.start for point in history if point.partial}
    return lambda point: point.period_start in partial
