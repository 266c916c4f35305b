"""The executive KPIs in JSON: the registry (what each KPI means) and a period's values with
their comparisons and history. Values are in the KPI's unit: cents for money (integers),
percent 0-100, days, crew-days or a count."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from roofops.kpi.results import ExecutiveView, Grain, KpiDefinition, KpiPoint, KpiUnit, KpiValue
from roofops.kpi.results import Period as KpiPeriod


class KpiDefinitionOut(BaseModel):
    key: str
    label: str
    unit: KpiUnit
    definition: str
    formula: str
    sources: list[str]
    aggregation: str
    money: bool = Field(description="seen only by roles with view_money")
    higher_is_better: bool
    point_in_time: bool = Field(description="a balance at the period's end, not a flow")

    @classmethod
    def of(cls, kpi: KpiDefinition) -> KpiDefinitionOut:
        return cls(
            key=kpi.key,
            label=kpi.label,
            unit=kpi.unit,
            definition=kpi.definition,
            formula=kpi.formula,
            sources=list(kpi.sources),
            aggregation=kpi.aggregation,
            money=kpi.money,
            higher_is_better=kpi.higher_is_better,
            point_in_time=kpi.point_in_time,
        )


class PeriodOut(BaseModel):
    start: date
    end: date
    grain: Grain
    label: str

    @classmethod
    def of(cls, period: KpiPeriod) -> PeriodOut:
        return cls(start=period.start, end=period.end, grain=period.grain, label=period.label)


class KpiPointOut(BaseModel):
    period: PeriodOut
    value: float | None
    partial: bool

    @classmethod
    def of(cls, point: KpiPoint) -> KpiPointOut:
        return cls(period=PeriodOut.of(point.period), value=point.value, partial=point.partial)


class KpiValueOut(BaseModel):
    key: str
    value: float | None = Field(description="None: nothing to measure in the period")
    previous: float | None = Field(description="the period before (month or week)")
    year_before: float | None = Field(description="the same period a year before")
    change: float | None = Field(description="relative change on the period before (0.1 = +10 %)")
    change_year: float | None = Field(description="relative change on the year before")
    source_shares: dict[str, float] = Field(
        description="money KPIs: share of the amount by figure source, summing to 1"
    )
    partial: bool = Field(description="the period is still running, or jobs are not final")
    basis: str = Field(description="what the figure rests on")
    history: list[KpiPointOut] = Field(description="the last 13 periods, oldest first")


class ExecutiveOut(BaseModel):
    as_of: date
    period: PeriodOut
    kpis: list[KpiValueOut] = Field(description="registry order; money KPIs need view_money")

    @classmethod
    def of(cls, view: ExecutiveView) -> ExecutiveOut:
        return cls(
            as_of=view.as_of,
            period=PeriodOut.of(view.period),
            kpis=[_value(value, view.history[value.key]) for value in view.values],
        )


def _value(value: KpiValue, history: tuple[KpiPoint, ...]) -> KpiValueOut:
    return KpiValueOut(
        key=value.key,
        value=value.value,
        previous=value.previous,
        year_before=value.year_before,
        change=value.change,
        change_year=value.change_year,
        source_shares=value.source_shares,
        partial=value.partial,
        basis=value.basis,
        history=[KpiPointOut.of(point) for point in history],
    )
