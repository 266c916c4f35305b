"""Performance analytics: per crew, per sales rep, cycle time per stage, backlog, drill-downs.

Every figure is summed from per-job records (roofops.performance.records) and its drill-down
lists the same records, so the jobs behind a figure always add up to it. Money (margins,
contract values) is computed only for roles with view_money.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.orm import Session

from roofops.auth.permissions import Permission
from roofops.exceptions import PermissionDenied, ValidationFailed
from roofops.job.lifecycle import LABELS
from roofops.models.enums import JobStage, Role
from roofops.performance import aggregate, drill
from roofops.performance.loading import BacklogLoader, Loader, calendar
from roofops.performance.results import (
    Backlog,
    Column,
    CrewPerformance,
    DrillDown,
    DrillRow,
    Figure,
    RepPerformance,
    StageCycleTime,
)

# A year and a quarter: enough for year-over-year figures, small enough to answer in a request.
MAX_PERIOD_DAYS = 460
# The default period: a rolling quarter, enough completed jobs per crew to mean something.
DEFAULT_DAYS = 90
MONEY_FIGURES = frozenset({Figure.CREW_MARGIN, Figure.REP_MARGIN, Figure.REP_AVERAGE_CONTRACT})
CREW_FIGURES = frozenset(
    {
        Figure.CREW_SQUARES,
        Figure.CREW_ON_TIME_START,
        Figure.CREW_ON_TIME_FINISH,
        Figure.CREW_CALLBACKS,
        Figure.CREW_MARGIN,
    }
)
REP_FIGURES = frozenset(
    {
        Figure.REP_LEADS,
        Figure.REP_CLOSE_RATE,
        Figure.REP_AVERAGE_CONTRACT,
        Figure.REP_MARGIN,
        Figure.REP_DAYS_TO_CONTRACT,
    }
)
TITLES: dict[Figure, str] = {
    Figure.CREW_SQUARES: "Squares per crew-day",
    Figure.CREW_ON_TIME_START: "On-time starts",
    Figure.CREW_ON_TIME_FINISH: "On-time finishes",
    Figure.CREW_CALLBACKS: "Callbacks",
    Figure.CREW_MARGIN: "Margin (final jobs)",
    Figure.REP_LEADS: "Leads",
    Figure.REP_CLOSE_RATE: "Close rate (won and lost)",
    Figure.REP_AVERAGE_CONTRACT: "Average contract",
    Figure.REP_MARGIN: "Margin (final jobs)",
    Figure.REP_DAYS_TO_CONTRACT: "Days lead to contract",
    Figure.STAGE_CYCLE_TIME: "Days in stage",
    Figure.BACKLOG: "Backlog",
}


def check_period(period_start: date, period_end: date) -> None:
    if period_end < period_start:
        raise ValidationFailed("the period ends before it starts", field="end")
    if (period_end - period_start).days >= MAX_PERIOD_DAYS:
        raise ValidationFailed(
            f"a period spans at most {MAX_PERIOD_DAYS} days; pick a shorter one", field="start"
        )


def shows_money(role: Role | None) -> bool:
    """``None``: an internal caller (the KPI registry) that filters money itself."""
    return role is None or Permission.VIEW_MONEY.allows(role)


class PerformanceService:
    def crews(
        self, db: Session, role: Role, period_start: date, period_end: date
    ) -> list[CrewPerformance]:
        """Every crew that completed work in the period (both ends inclusive), by name."""
        check_period(period_start, period_end)
        loader = Loader(db, period_start, period_end)
        names = loader.crew_names()
        by_crew = aggregate.grouped(loader.completed(), lambda job: job.crew_id)
        rows = [
            aggregate.crew_performance(crew_id, names[crew_id], jobs, money=shows_money(role))
            for crew_id, jobs in by_crew.items()
            if crew_id is not None
        ]
        return sorted(rows, key=lambda row: row.crew_name)

    def reps(
        self, db: Session, role: Role, period_start: date, period_end: date
    ) -> list[RepPerformance]:
        """Every sales rep with a lead, a decision or a completed job in the period."""
        check_period(period_start, period_end)
        loader = Loader(db, period_start, period_end)
        sales = aggregate.grouped(loader.sales(), lambda job: job.sales_rep)
        completed = aggregate.grouped(loader.completed(), lambda job: job.sales_rep)
        return [
            aggregate.rep_performance(
                rep, sales.get(rep, []), completed.get(rep, []), money=shows_money(role)
            )
            for rep in sorted(sales.keys() | completed.keys())
        ]

    def cycle_times(
        self, db: Session, period_start: date, period_end: date
    ) -> list[StageCycleTime]:
        """Days spent per stage, over the stage visits that ended in the period."""
        check_period(period_start, period_end)
        return aggregate.cycle_times(Loader(db, period_start, period_end).visits())

    def backlog(self, db: Session, as_of: date, *, role: Role | None = None) -> Backlog:
        """Signed, unfinished work at the end of ``as_of``; ``role`` None: money included."""
        return aggregate.backlog(as_of, BacklogLoader(db, as_of).jobs(), money=shows_money(role))

    def drill_down(
        self,
        db: Session,
        role: Role,
        figure: Figure,
        *,
        period_start: date,
        period_end: date,
        subject: str = "",
    ) -> DrillDown:
        """The jobs behind one figure; ``subject`` is the crew id, the rep or the stage (the
        backlog is taken at the period's end)."""
        check_period(period_start, period_end)
        if figure in MONEY_FIGURES and not shows_money(role):
            raise PermissionDenied(Permission.VIEW_MONEY.refusal(role))
        columns, rows, about = self._rows(
            db, role, figure, period=(period_start, period_end), subject=subject
        )
        period = f"{period_start.isoformat()} to {period_end.isoformat()}"
        if figure is Figure.BACKLOG:
            period = f"at the end of {period_end.isoformat()}"
        title = f"{TITLES[figure]}: {about}, {period}" if about else f"{TITLES[figure]}, {period}"
        return DrillDown(figure, title, columns, tuple(rows))

    def _rows(
        self,
        db: Session,
        role: Role,
        figure: Figure,
        *,
        period: tuple[date, date],
        subject: str,
    ) -> tuple[tuple[Column, ...], list[DrillRow], str]:
        period_start, period_end = period
        if figure is Figure.BACKLOG:
            backlog = BacklogLoader(db, period_end).jobs()
            return (*drill.backlog_rows(backlog, money=shows_money(role)), "")
        loader = Loader(db, period_start, period_end)
        if figure in CREW_FIGURES:
            crew_id = _crew_id(subject)
            name = loader.crew_names().get(crew_id, "unknown crew")
            jobs = [job for job in loader.completed() if job.crew_id == crew_id]
            return (*drill.completed_rows(figure, jobs), name)
        if figure is Figure.REP_MARGIN:
            jobs = [job for job in loader.completed() if job.sales_rep == subject]
            return (*drill.completed_rows(figure, jobs), subject)
        if figure in REP_FIGURES:
            sales = [job for job in loader.sales() if job.sales_rep == subject]
            return (*drill.sales_rows(figure, sales), subject)
        stage = _stage(subject)
        visits = [visit for visit in loader.visits() if visit.stage == stage]
        refs = loader.refs(visit.job_id for visit in visits)
        columns, rows = drill.visit_rows(visits, refs, calendar(db).day_of)
        return columns, rows, LABELS[stage]


def _crew_id(subject: str) -> uuid.UUID:
    try:
        return uuid.UUID(subject)
    except ValueError:
        raise ValidationFailed(
            f"subject must be a crew id for a crew figure, not {subject!r}", field="subject"
        ) from None


def _stage(subject: str) -> JobStage:
    try:
        return JobStage(subject)
    except ValueError:
        stages = ", ".join(stage.value for stage in aggregate.CYCLE_STAGES)
        raise ValidationFailed(
            f"subject must be a stage ({stages}), not {subject!r}", field="subject"
        ) from None


performance_service = PerformanceService()
