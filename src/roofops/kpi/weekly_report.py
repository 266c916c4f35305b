"""The weekly executive report: one week's KPIs for the owner, as a PDF.

It reads the same figures as the executive dashboard (``kpi_service.view``): the week with the
week before and the same week a year before, the month to date, the last 13 weeks of each KPI
as charts, where every figure comes from, and every definition. A figure of a period still
running, or resting on open jobs, is marked partial, as on the dashboard.

Every role that may read the report (view_executive: admin, finance) also sees money, so the
report is one document, the same for every reader: it is read as an admin would see it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from roofops.company.service import company_service
from roofops.exceptions import ValidationFailed
from roofops.kpi.registry import KPIS
from roofops.kpi.results import ExecutiveView, Grain, KpiDefinition, Period
from roofops.kpi.service import kpi_service
from roofops.models.enums import Role

# The role the report is read as: see the module docstring.
READER_ROLE = Role.ADMIN


@dataclass(frozen=True)
class WeeklyReport:
    company: str
    week: ExecutiveView  # the week, against the week before and a year before; 13 weeks' history
    month: ExecutiveView  # the month the week ends in, up to the report's date
    definitions: tuple[KpiDefinition, ...]  # registry order

    def definition(self, key: str) -> KpiDefinition:
        return next(item for item in self.definitions if item.key == key)


def week_of(day: date) -> Period:
    """The reporting week (as the executive dashboard counts weeks) that holds ``day``."""
    return kpi_service.period_containing(day, Grain.WEEK)


def last_full_week(today: date) -> Period:
    """The week before the one ``today`` is in: what Monday morning's report covers."""
    return week_of(today - timedelta(days=7))


def chosen_week(day: date | None, today: date) -> Period:
    """The week holding ``day`` (the last full week when not given); a week that has not
    started yet is refused."""
    if day is None:
        return last_full_week(today)
    week = week_of(day)
    if week.start > today:
        raise ValidationFailed(
            f"the week of {week.start.isoformat()} has not started yet", field="week"
        )
    return week


def weekly_report(db: Session, week: Period, as_of: date) -> WeeklyReport:
    """The figures the PDF shows, read once."""
    month = kpi_service.period_containing(min(week.end, as_of), Grain.MONTH)
    return WeeklyReport(
        company=company_service.get(db).name,
        week=kpi_service.view(db, READER_ROLE, week, as_of),
        month=kpi_service.view(db, READER_ROLE, month, as_of),
        definitions=KPIS,
    )


def render_weekly_report(db: Session, week: Period, as_of: date) -> bytes:
    """The report of ``week`` with the figures known on ``as_of``, as PDF bytes."""
    from roofops.kpi.weekly_report_pdf import render  # fpdf2: only a PDF request pays for it

    return render(weekly_report(db, week, as_of))


def download(db: Session, day: date | None) -> tuple[Period, bytes]:
    """The report of the week holding ``day`` (default: the last full week) as of today."""
    today = company_service.today(db)
    week = chosen_week(day, today)
    return week, render_weekly_report(db, week, today)


def report_filename(week: Period) -> str:
    return f"executive-report-{week.start.isoformat()}.pdf"
