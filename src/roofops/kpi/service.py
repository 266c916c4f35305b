"""The executive KPIs of a period: each registry KPI with the period before, the same period a
year before and thirteen periods of history, from facts loaded once (a few queries whatever
the number of periods) and computed in roofops.kpi.figures.

Money KPIs are left out for roles without view_money (MONEY_RULE). A figure is ``partial``
while its period is still running, or while it rests on jobs whose figures are not final.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from roofops.auth.permissions import Permission
from roofops.company.service import company_service
from roofops.exceptions import ValidationFailed
from roofops.kit.time import utcnow
from roofops.kpi.figures import FIGURES, Facts, Figure, Moves
from roofops.kpi.registry import visible
from roofops.kpi.repository import KpiRepository, StageMove
from roofops.kpi.results import ExecutiveView, Grain, KpiDefinition, KpiPoint, KpiValue, Period
from roofops.models.enums import JobStage, Role
from roofops.report.repository import FinanceReportRepository
from roofops.report.service import finance_reports

HISTORY = 13  # periods per KPI chart: a year of months and the same month a year before


class KpiService:
    def period_containing(self, day: date, grain: Grain) -> Period:
        """The week (Monday to Sunday) or calendar month that holds ``day``."""
        if grain is Grain.WEEK:
            start = day - timedelta(days=day.weekday())
            return Period(start, start + timedelta(days=6), grain)
        start = day.replace(day=1)
        following = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
        return Period(start, following - timedelta(days=1), grain)

    def today(self, db: Session) -> date:
        """Today in the company's time zone: the default as-of day and period."""
        return finance_reports.today(db)

    def view(self, db: Session, role: Role, period: Period, as_of: date) -> ExecutiveView:
        """The KPIs the role may see for ``period`` as known on ``as_of``, with comparisons and
        the last thirteen periods of history (oldest first)."""
        if period.start > as_of:
            raise ValidationFailed(
                f"the period {period.label} has not begun on {as_of.isoformat()}", field="period"
            )
        kpis = visible(Permission.VIEW_MONEY.allows(role))
        facts = self._facts(db, kpis, period, as_of)
        history = _history(period)
        values = tuple(_value(kpi, facts, period) for kpi in kpis)
        charts = {kpi.key: tuple(_point(kpi, facts, one) for one in history) for kpi in kpis}
        return ExecutiveView(as_of=as_of, period=period, values=values, history=charts)

    def _facts(
        self, db: Session, kpis: tuple[KpiDefinition, ...], period: Period, as_of: date
    ) -> Facts:
        keys = {kpi.key for kpi in kpis}
        reports = FinanceReportRepository(db)
        books = reports.books_provider()
        repository = KpiRepository(db)
        zone = ZoneInfo(company_service.get(db).time_zone)
        today = period.start <= as_of <= period.end
        return Facts(
            as_of=as_of,
            books=books.value if books else None,
            receivables=reports.receivables(books) if keys & _READS_INVOICES else [],
            moves=_moves(repository.stage_moves(), zone),
            money=repository.sold_money() if keys & _READS_MONEY else [],
            medians=repository.revenue_medians() if "forecast_vs_actual" in keys else [],
            now=_end_of(as_of, zone),
            depreciation_now=_depreciation(db)
            if today and "depreciation_outstanding" in keys
            else None,
            crew_days_now=None,
        )


_READS_INVOICES = frozenset({"revenue", "ar", "forecast_vs_actual"})
_READS_MONEY = frozenset({"gross_profit", "margin", "backlog"})


def _history(period: Period) -> list[Period]:
    periods = [period]
    while len(periods) < HISTORY:
        periods.append(periods[-1].previous())
    return periods[::-1]


def _value(kpi: KpiDefinition, facts: Facts, period: Period) -> KpiValue:
    figure = _figure(kpi, facts, period)
    previous = _figure(kpi, facts, period.previous())
    year_before = _figure(kpi, facts, period.year_before())
    return KpiValue(
        key=kpi.key,
        period=period,
        value=figure.value,
        previous=previous.value,
        year_before=year_before.value,
        source_shares=figure.source_shares if kpi.money else {},
        partial=_partial(figure, facts, period),
        basis=figure.basis,
    )


def _point(kpi: KpiDefinition, facts: Facts, period: Period) -> KpiPoint:
    figure = _figure(kpi, facts, period)
    return KpiPoint(period=period, value=figure.value, partial=_partial(figure, facts, period))


def _figure(kpi: KpiDefinition, facts: Facts, period: Period) -> Figure:
    return FIGURES[kpi.key](facts, period)


def _partial(figure: Figure, facts: Facts, period: Period) -> bool:
    """Still running on the as-of day, or resting on figures that are not final yet."""
    return figure.partial or period.end >= facts.as_of


def _moves(moves: list[StageMove], zone: ZoneInfo) -> dict[uuid.UUID, Moves]:
    days: defaultdict[uuid.UUID, list[tuple[JobStage, date]]] = defaultdict(list)
    for move in moves:
        days[move.job_id].append((move.to_stage, move.occurred_at.astimezone(zone).date()))
    return {job_id: Moves(tuple(one)) for job_id, one in days.items()}


def _end_of(day: date, zone: ZoneInfo) -> datetime:
    """The end of the as-of day: a job turns final on it when its figures are final then."""
    local = datetime.combine(day + timedelta(days=1), datetime.min.time(), zone)
    return min(local, utcnow()) if day >= utcnow().astimezone(zone).date() else local


def _depreciation(db: Session) -> int:
    total = finance_reports.depreciation(db).total or {}
    return sum(
        value for key in ("held", "released_unpaid") if isinstance(value := total.get(key), int)
    )


kpi_service = KpiService()
